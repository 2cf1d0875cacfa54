#!/usr/bin/env bash
# Installs what is missing, builds widash and opens the dashboard on the embedded demo sandbox.
# (A debug build: the first build is several minutes faster than a release build on small machines,
# and ./test.sh reuses it. For the benchmarks build with `swift build -c release`.)
set -euo pipefail
cd "$(dirname "$0")"
./install-deps.sh --no-python
swift build --product widash >&2
exec .build/debug/widash --demo "$@"
