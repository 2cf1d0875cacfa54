#!/usr/bin/env bash
# Runs the whole test suite: unit tests, end-to-end tests against the sandbox (real kubectl,
# azure-identity and botocore as peers) and the dashboard under tmux. (CI, .ci/run, then runs a short
# fuzzing smoke run: ./fuzz.sh all 15.)
set -euo pipefail
cd "$(dirname "$0")"
./install-deps.sh
export WIDASH_PYTHON="$PWD/.venv/bin/python"
swift build --build-tests
swift test --skip-build
