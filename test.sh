#!/usr/bin/env bash
# Runs the whole test suite: unit tests, end-to-end tests against the sandbox (real kubectl,
# azure-identity and botocore as peers) and the dashboard under tmux. (CI, .ci/run, then runs a short
# fuzzing smoke run: ./fuzz.sh all 15.)
# A judge that is missing (kubectl, the Python peers, tmux, curl, ../shared/reference) is a skip with
# its reason on a developer's machine and a failure under CI=true (.ci/run sets it). The run ends with
# the number of skipped tests and why.
set -euo pipefail
cd "$(dirname "$0")"
./install-deps.sh
export WIDASH_PYTHON="$PWD/.venv/bin/python"
# Package.resolved pins every dependency: a build that would need other versions fails instead of
# quietly resolving new ones.
swift build --build-tests --force-resolved-versions
# No target declares a dependency it does not import, nor imports one it does not declare.
python3 .ci/check-dependencies.py
log=$(mktemp /tmp/widash-test-XXXXXX.log)
status=0
swift test --skip-build 2>&1 | tee "$log" || status=$?
skipped=$(grep -E ": Test skipped - " "$log" || true)
echo "== skipped tests: $(printf '%s' "$skipped" | grep -c . || true)"
[ -n "$skipped" ] && printf '%s\n' "$skipped" | sed -E 's/^.*: ([A-Za-z0-9_]+\.[A-Za-z0-9_]+) : Test skipped - /  \1: /'
rm -f "$log"
exit "$status"
