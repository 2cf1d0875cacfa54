#!/usr/bin/env bash
# Installs what widash and its tests need on a fresh Debian machine that has the Swift toolchain,
# only when missing:
#   apt: libcurl4-openssl-dev (libcurl with OpenSSL, for in-memory TLS material), libncursesw5-dev,
#        tmux (the dashboard's end-to-end tests drive it), curl (a second HTTP client in the tests);
#   a Python venv (.venv) with the real peers the tests use: azure-identity, botocore/boto3, PyJWT,
#        joserfc, openapi-schema-validator, PyYAML;
#   kubectl ≥ 1.24 must be on PATH (Debian's kubernetes-client is 1.20, too old): checked, with
#        what to do when it is missing.
# Usage: ./install-deps.sh [--no-python]   (--no-python: what the dashboard needs, for demo.sh)
set -euo pipefail
cd "$(dirname "$0")"

missing=()
packages=(libcurl4-openssl-dev libncursesw5-dev)
[ "${1:-}" = "--no-python" ] || packages+=(tmux curl)
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing: ${missing[*]}" >&2
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >&2
fi

[ "${1:-}" = "--no-python" ] && exit 0

peers="import azure.identity, botocore, boto3, jwt, joserfc, openapi_schema_validator, yaml"
if ! .venv/bin/python -c "$peers" 2>/dev/null; then
  echo "creating .venv with the Python peers used by the tests" >&2
  rm -rf .venv
  python3 -m venv .venv || { echo "python3 -m venv failed: install python3-venv (apt) or a Python with venv" >&2; exit 2; }
  .venv/bin/pip install -q --disable-pip-version-check \
    "azure-identity==1.27.0" "boto3==1.44.8" "botocore==1.44.8" "PyJWT==2.15.1" "joserfc==1.8.0" \
    "openapi-schema-validator==0.9.0" "PyYAML==6.0.3" >&2
fi

# kubectl judges the sandbox's Kubernetes API (get, watch, create token, exec). Not in Debian's
# repositories at a usable version, so it is checked, not installed.
kubectl_bin="${KUBECTL:-$(command -v kubectl || true)}"
if [ -z "$kubectl_bin" ]; then
  echo "kubectl is not on PATH: the tests need kubectl >= 1.24 as a judge. Install it from" >&2
  echo "https://kubernetes.io/docs/tasks/tools/install-kubectl-linux/ (or the Google Cloud SDK's 'kubectl' package), or set KUBECTL." >&2
  [ "${CI:-}" = "true" ] && exit 2
else
  minor=$("$kubectl_bin" version --client -o json 2>/dev/null | sed -n 's/.*"minor": *"\([0-9]*\).*/\1/p' | head -1)
  if [ -z "$minor" ] || [ "$minor" -lt 24 ]; then
    echo "$kubectl_bin is kubectl 1.${minor:-?}: the tests need >= 1.24 (exec over WebSocket, TokenRequest output)." >&2
    [ "${CI:-}" = "true" ] && exit 2
  fi
fi
exit 0
