#!/usr/bin/env bash
# Fuzzes widash's parsers of untrusted input with libFuzzer + AddressSanitizer (README "Fuzzing").
#
#   ./fuzz.sh [TARGET|all] [SECONDS]      e.g. ./fuzz.sh all 15 (CI smoke run), ./fuzz.sh jwt 300
#
# Targets: jwt, kubeconfig, watch, sts-xml, entra-error, websocket-frame (see Sources/widash-fuzz). Each runs for
# SECONDS (default 60) from its seed corpus in Tests/FuzzCorpus/<target>, copied to a temporary work
# folder: fuzzing never writes into the repository. Prints, per target, the executions run and
# whether it crashed; exits 1 when any target crashed, hung or ran out of memory, keeping the
# work folder with the crash input (and a minimized copy) and printing the command to reproduce it.
#
# Environment: WIDASH_FUZZ_WORK (work folder; default a new mktemp folder), WIDASH_FUZZ_KEEP=1
# (keep the work folder after a clean run), WIDASH_FUZZ_MINIMIZE (seconds spent minimizing a crash
# input, default 30; 0 = off), WIDASH_FUZZ_ARGS (extra libFuzzer flags, e.g. "-jobs=2"),
# WIDASH_FUZZ_DIFF=1 (watch: the selective JSON decoder must agree with JSONDecoder),
# WIDASH_FUZZ_SCRATCH (SwiftPM scratch path of the fuzz build; default .build-fuzz. Pointing it at
# .build reuses the dependencies built there but recompiles widash's modules instrumented: CI only).
set -euo pipefail
cd "$(dirname "$0")"
repo="$PWD"

all_targets=(jwt kubeconfig watch sts-xml entra-error websocket-frame)
target="${1:-all}"
seconds="${2:-60}"

usage() { local IFS="|"; echo "usage: $0 [all|${all_targets[*]}] [SECONDS]" >&2; exit 2; }
[[ "$seconds" =~ ^[0-9]+$ && "$seconds" -gt 0 ]] || { echo "fuzz.sh: SECONDS must be a positive whole number, got '$seconds'" >&2; usage; }
if [[ "$target" == all ]]; then
    targets=("${all_targets[@]}")
elif [[ " ${all_targets[*]} " == *" $target "* ]]; then
    targets=("$target")
else
    echo "fuzz.sh: unknown target '$target'" >&2; usage
fi

# Build. WIDASH_FUZZ=1 makes Package.swift compile widash's own modules with -sanitize=fuzzer,address
# (coverage instrumentation + AddressSanitizer) and link libFuzzer's engine; its own main() is not
# used (SwiftPM points main at the module's @main, which calls LLVMFuzzerRunDriver). Dependencies
# (swift-crypto, Yams, ...) are built as in a normal debug build, so a scratch path that already holds
# one (CI: WIDASH_FUZZ_SCRATCH=.build after the tests) only recompiles widash's modules.
# ld.gold prints thousands of harmless "Cannot export local symbol '__asan_…'" warnings: dropped.
scratch="${WIDASH_FUZZ_SCRATCH:-.build-fuzz}"
build_flags=(--scratch-path "$scratch")
export WIDASH_FUZZ=1
echo "fuzz.sh: building widash-fuzz with libFuzzer and AddressSanitizer into $scratch (slow the first time)"
build_log="$(mktemp "${TMPDIR:-/tmp}/widash-fuzz-build.XXXXXX")"
if ! swift build "${build_flags[@]}" --product widash-fuzz >"$build_log" 2>&1; then
    grep -v "Cannot export local symbol" "$build_log" | tail -40 >&2
    echo "fuzz.sh: the fuzz build failed (full log: $build_log)" >&2
    exit 2
fi
rm -f "$build_log"
binary="$(swift build "${build_flags[@]}" --show-bin-path)/widash-fuzz"

if [[ -n "${WIDASH_FUZZ_WORK:-}" ]]; then
    work="$WIDASH_FUZZ_WORK"; created_work=0
else
    work="$(mktemp -d "${TMPDIR:-/tmp}/widash-fuzz.XXXXXX")"; created_work=1
fi
mkdir -p "$work/artifacts"
minimize="${WIDASH_FUZZ_MINIMIZE:-30}"

# Crashes are reported by ASan/libFuzzer, not by Swift's backtracer (which would wait on a
# terminal). Leak checking is off: the Swift runtime's metadata caches read as leaks.
export SWIFT_BACKTRACE=enable=no
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=0:symbolize=1}"

failed=()
printf '%-16s %12s  %s\n' target executions result
for t in "${targets[@]}"; do
    corpus="$work/corpus/$t"          # the folder name selects the target, as WIDASH_FUZZ_TARGET does
    mkdir -p "$corpus"
    if [[ -d "$repo/Tests/FuzzCorpus/$t" ]]; then cp "$repo/Tests/FuzzCorpus/$t"/* "$corpus"/ 2>/dev/null || true; fi
    log="$work/$t.log"
    status=0
    # shellcheck disable=SC2086  # WIDASH_FUZZ_ARGS is a list of flags
    (cd "$work" && WIDASH_FUZZ_TARGET="$t" "$binary" \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 -max_len=16384 \
        -print_final_stats=1 -artifact_prefix="$work/artifacts/$t-" ${WIDASH_FUZZ_ARGS:-} "$corpus") >"$log" 2>&1 || status=$?
    executions="$(grep -Eo 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -Eo '[0-9]+$' | tail -1 || true)"
    if [[ -z "$executions" ]]; then  # a crash ends the run before the final stats
        executions="$(grep -Eo '^#[0-9]+' "$log" | tail -1 | tr -d '#' || true)"
    fi
    artifact="$(ls -t "$work/artifacts/$t-"* 2>/dev/null | grep -v minimized | head -1 || true)"
    if [[ "$status" -eq 0 && -z "$artifact" ]]; then
        printf '%-16s %12s  %s\n' "$t" "${executions:-?}" "no crash in ${seconds}s"
        continue
    fi
    kind="$(grep -Eo 'ERROR: (libFuzzer|AddressSanitizer): [A-Za-z -]+' "$log" | head -1 | sed 's/^ERROR: //; s/ *$//' || true)"
    printf '%-16s %12s  %s\n' "$t" "${executions:-?}" "FAILED (${kind:-exit status $status})"
    failed+=("$t")
    if [[ -n "$artifact" && "$minimize" -gt 0 ]]; then
        (cd "$work" && WIDASH_FUZZ_TARGET="$t" "$binary" -minimize_crash=1 -max_total_time="$minimize" \
            -timeout=10 -exact_artifact_path="$artifact.minimized" "$artifact") >"$work/$t.minimize.log" 2>&1 || true
    fi
    echo "    log:        $log"
    if [[ -n "$artifact" ]]; then
        echo "    input:      $artifact"
        [[ -f "$artifact.minimized" ]] && echo "    minimized:  $artifact.minimized"
        # Fuzzer-made bytes (no secrets), so a CI log alone is enough to reproduce the crash.
        shown="$artifact"; [[ -f "$artifact.minimized" ]] && shown="$artifact.minimized"
        echo "    as base64:  $(head -c 3000 "$shown" | base64 -w0)"
        echo "    reproduce:  WIDASH_FUZZ_TARGET=$t SWIFT_BACKTRACE=enable=no $binary $artifact"
        echo "    or replay:  swift run widash-fuzz --target $t $artifact"
    fi
    grep -E 'invariant failed|Fatal error|ERROR: AddressSanitizer|SUMMARY' "$log" | head -5 | sed 's/^/    /'
done

if [[ ${#failed[@]} -gt 0 ]]; then
    echo "fuzz.sh: ${#failed[@]} target(s) failed: ${failed[*]}; inputs and logs kept in $work" >&2
    exit 1
fi
if [[ "${WIDASH_FUZZ_KEEP:-0}" == 1 || "$created_work" == 0 ]]; then
    echo "fuzz.sh: no crash; corpora and logs kept in $work"
else
    rm -rf "$work"
    echo "fuzz.sh: no crash"
fi
