#!/usr/bin/env bash
# Runs the test suite under a sanitizer (README "Sanitizers").
#
#   ./sanitize.sh address|thread [FILTER]     e.g. nice -n 19 ./sanitize.sh thread WidashHTTPTests
#
# Builds the tests with `swift build --build-tests --sanitize=KIND` into its own scratch path
# (.build-asan / .build-tsan, never .build: a full build takes as long as a clean one), then runs the
# XCTest bundle. FILTER is XCTest's: a test target (expanded into its classes), `Target.Class` or `Target.Class/testMethod`,
# several separated by commas; default all. End-to-end tests run the sanitized `widash` too.
# Every report, from the test process or a child, goes to its own file in a log folder (so no
# report ends up in a child's stderr that a test compares); the script prints them and exits 1 when
# there is any report or a failed test.
#
# Suppressions: Tests/Sanitizers/tsan.supp (only proven false positives outside widash, each with
# its reason). Leak checking is off: the Swift runtime's metadata caches and Foundation's singletons
# live for the whole process and read as leaks.
# Environment: WIDASH_SANITIZE_LOGS (log folder; default a new mktemp folder), WIDASH_PYTHON
# (default .venv/bin/python, as test.sh), WIDASH_SANITIZE_SKIP_BUILD=1 (run the last build).
set -euo pipefail
cd "$(dirname "$0")"
repo="$PWD"

usage() { echo "usage: $0 address|thread [FILTER]" >&2; exit 2; }
case "${1:-}" in
    address) kind=address; scratch=.build-asan; prefix=asan ;;
    thread)  kind=thread;  scratch=.build-tsan; prefix=tsan ;;
    *) usage ;;
esac
filter="${2:-}"

if [[ "${WIDASH_SANITIZE_SKIP_BUILD:-0}" != 1 ]]; then
    echo "sanitize.sh: building the tests with --sanitize=$kind into $scratch (slow the first time)"
    started=$SECONDS
    build_log="$(mktemp "${TMPDIR:-/tmp}/widash-$prefix-build.XXXXXX")"
    if ! swift build --build-tests --scratch-path "$scratch" --sanitize="$kind" >"$build_log" 2>&1; then
        grep -v "Cannot export local symbol" "$build_log" | tail -40 >&2
        echo "sanitize.sh: the $kind-sanitized build failed (full log: $build_log)" >&2
        exit 2
    fi
    rm -f "$build_log"
    echo "sanitize.sh: built in $((SECONDS - started))s"
fi
bin="$(swift build --scratch-path "$scratch" --show-bin-path)"
[[ -x "$bin/widashPackageTests.xctest" ]] || { echo "sanitize.sh: $bin/widashPackageTests.xctest is missing; run without WIDASH_SANITIZE_SKIP_BUILD" >&2; exit 2; }

logs="${WIDASH_SANITIZE_LOGS:-$(mktemp -d "${TMPDIR:-/tmp}/widash-$prefix.XXXXXX")}"
mkdir -p "$logs"
export WIDASH_PYTHON="${WIDASH_PYTHON:-$repo/.venv/bin/python}"
export WIDASH_BINARY="$bin/widash"
# Swift's backtracer would wait on a terminal after a sanitizer abort; the sanitizers report instead.
export SWIFT_BACKTRACE=enable=no
common="log_path=$logs/$prefix:symbolize=1"
export ASAN_OPTIONS="${ASAN_OPTIONS:-$common:detect_leaks=0:check_initialization_order=1:detect_stack_use_after_return=1}"
export TSAN_OPTIONS="${TSAN_OPTIONS:-$common:halt_on_error=0:second_deadlock_stack=1:suppressions=$repo/Tests/Sanitizers/tsan.supp}"

# XCTest on Linux selects nothing for a bare test target name: expand each into its classes.
if [[ -n "$filter" ]]; then
    expanded=()
    IFS=',' read -r -a items <<< "$filter"
    for item in "${items[@]}"; do
        if [[ "$item" == *.* ]]; then
            expanded+=("$item")
        else
            while IFS= read -r class; do expanded+=("$class"); done < <(
                "$bin/widashPackageTests.xctest" --list-tests 2>/dev/null | grep -E "^$item\." | cut -d/ -f1 | sort -u)
        fi
    done
    filter=$(IFS=','; echo "${expanded[*]:-$filter}")
fi
echo "sanitize.sh: running ${filter:-all tests} under the $kind sanitizer; reports go to $logs"
status=0
started=$SECONDS
# shellcheck disable=SC2086  # an empty filter means "all"
set +e
"$bin/widashPackageTests.xctest" $filter 2>&1 | tee "$logs/xctest.log" | grep --line-buffered -E "^Test Suite '.*' (passed|failed)|error: |Executed [0-9]+ test"
status=${PIPESTATUS[0]}
set -e
echo "sanitize.sh: tests ran in $((SECONDS - started))s, exit status $status"

reports=("$logs/$prefix".*)
if [[ -e "${reports[0]}" ]]; then
    count="$(cat "${reports[@]}" | grep -cE '^(WARNING: ThreadSanitizer|ERROR: AddressSanitizer|==[0-9]+==ERROR: AddressSanitizer)' || true)"
    echo "sanitize.sh: $count $kind sanitizer report(s) in ${#reports[@]} file(s):" >&2
    cat "${reports[@]}" | grep -E '^(WARNING|ERROR|SUMMARY|==[0-9]+==ERROR)' | sort | uniq -c | sort -rn | head -40 >&2
    echo "sanitize.sh: full reports in $logs" >&2
    exit 1
fi
if ! grep -qE "Executed [1-9][0-9]* tests?," "$logs/xctest.log"; then
    echo "sanitize.sh: no test ran: check the filter '${filter}' (Target, Target.Class or Target.Class/testMethod)" >&2
    exit 2
fi
if [[ "$status" -ne 0 ]]; then
    echo "sanitize.sh: tests failed under the $kind sanitizer (log: $logs/xctest.log)" >&2
    exit 1
fi
echo "sanitize.sh: clean: no $kind sanitizer report, all tests passed"
