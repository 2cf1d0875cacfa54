#!/usr/bin/env bash
# Runs the whole test suite: unit tests, end-to-end tests against the sandbox (real kubectl,
# azure-identity and botocore as peers), the dashboard under tmux, and a short fuzzing smoke run.
set -euo pipefail
cd "$(dirname "$0")"
./install-deps.sh
export WIDASH_PYTHON="$PWD/.venv/bin/python"
swift build --build-tests
swift test --skip-build
