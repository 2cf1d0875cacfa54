#!/usr/bin/env bash
# Installs what is missing, builds widash (release) and opens the dashboard on the embedded demo sandbox.
set -euo pipefail
cd "$(dirname "$0")"
./install-deps.sh --no-python
swift build -c release --product widash >&2
exec .build/release/widash --demo "$@"
