#!/usr/bin/env bash
# Installs what widash needs on a fresh Debian machine that has the Swift toolchain, only when missing:
#   apt: libcurl4-openssl-dev (libcurl with OpenSSL, for in-memory TLS material), libncursesw5-dev, tmux
#   (the dashboard's end-to-end tests drive it), and a Python venv with the real peers the tests use
#   (azure-identity, botocore/boto3, PyJWT, joserfc, openapi-schema-validator).
# Usage: ./install-deps.sh [--no-python]
set -euo pipefail
cd "$(dirname "$0")"

missing=()
for pkg in libcurl4-openssl-dev libncursesw5-dev tmux; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing: ${missing[*]}" >&2
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >&2
fi

if [ "${1:-}" != "--no-python" ]; then
  if ! .venv/bin/python -c "import azure.identity, botocore, boto3, jwt, joserfc, openapi_schema_validator" 2>/dev/null; then
    echo "creating .venv with the Python peers used by the tests" >&2
    rm -rf .venv
    python3 -m venv .venv || { echo "python3 -m venv failed: install python3-venv (apt) or a Python with venv" >&2; exit 2; }
    .venv/bin/pip install -q --disable-pip-version-check \
      "azure-identity==1.27.0" "boto3==1.44.8" "botocore==1.44.8" "PyJWT==2.15.1" "joserfc==1.8.0" \
      "openapi-schema-validator==0.9.0" >&2
  fi
fi
