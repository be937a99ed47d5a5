#!/usr/bin/env bash
# libFuzzer runs of the JSON-RPC scanner and the config loader (Fuzz/README.md).
#
#   Scripts/fuzz.sh [options] [scanner|config|all]      (default: all)
#
# Options:
#   --seconds N     stop each harness after N seconds (-max_total_time; default 60 unless --runs is given)
#   --runs N        stop each harness after N executions (-runs); with --seconds, whichever comes first
#   --timeout N     seconds one input may take (default 2). The limit is wall-clock time: on a machine
#                   busy with other work at normal priority, a process at nice 19 can be starved for
#                   seconds; raise it there, and replay what is reported in .build-fuzz/artifacts/
#                   NAME-slow-unit-* (inputs over 1 s) alone to see their real time
#   --no-build      use the harnesses already built in .build-fuzz
#   --no-nice       do not run the build and the fuzzers under `nice -n 19`
#   -h, --help      this text
#
# Builds Fuzz/ (a package of its own; the main package never sees fuzzer flags) in release with
# libFuzzer and AddressSanitizer into .build-fuzz/, then runs each harness with:
#   -timeout=2          one input taking over 2 s is a failure: the guard against anything slower
#                       than linear (a linear pass over the largest input takes milliseconds; the
#                       slowest seen, a config with many duplicated keys under ASan, ~0.2 s)
#   -report_slow_units=1  inputs over 1 s are kept as NAME-slow-unit-* (reported, not a failure)
#   -max_len=65536      inputs up to 64 KiB, large enough for quadratic behaviour to pass 2 s
#   -rss_limit_mb=2048  memory per process
#   -dict=Fuzz/NAME.dict, seeds from Fuzz/corpus/NAME/ (read only); the corpus it grows is kept in
#   .build-fuzz/corpus/NAME/ between runs. A crash, timeout or out-of-memory input is written to
#   .build-fuzz/artifacts/NAME-*; replay it with `.build-fuzz/release/FuzzNAME FILE`.
# Prints one summary line per harness (executions, exec/s, corpus, peak RSS) and exits non-zero
# on any failure. Installs nothing: libFuzzer and ASan ship with the Swift toolchain.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

SECONDS_LIMIT=""; RUNS=""; TIMEOUT=2; BUILD=1; NICE=(nice -n 19); TARGETS=()
die() { echo "fuzz.sh: $*" >&2; exit 2; }
usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }
while [[ $# -gt 0 ]]; do
    case "$1" in
        --seconds) [[ $# -ge 2 && "$2" =~ ^[0-9]+$ ]] || die "--seconds needs a number"; SECONDS_LIMIT=$2; shift ;;
        --runs) [[ $# -ge 2 && "$2" =~ ^[0-9]+$ ]] || die "--runs needs a number"; RUNS=$2; shift ;;
        --timeout) [[ $# -ge 2 && "$2" =~ ^[0-9]+$ ]] || die "--timeout needs a number"; TIMEOUT=$2; shift ;;
        --no-build) BUILD=0 ;;
        --no-nice) NICE=() ;;
        -h|--help) usage; exit 0 ;;
        scanner|config) TARGETS+=("$1") ;;
        all) TARGETS+=(scanner config) ;;
        *) die "unknown argument '$1' (try --help)" ;;
    esac
    shift
done
[[ ${#TARGETS[@]} -gt 0 ]] || TARGETS=(scanner config)
[[ -n "$SECONDS_LIMIT" || -n "$RUNS" ]] || SECONDS_LIMIT=60

SCRATCH="$ROOT/.build-fuzz"
BIN="$SCRATCH/release"
mkdir -p "$SCRATCH/artifacts" "$SCRATCH/logs"

if [[ $BUILD -eq 1 ]]; then
    echo "== fuzz: building Fuzz/ (release, -sanitize=fuzzer,address) into .build-fuzz"
    start=$(date +%s)
    # swiftc keeps only the last -sanitize= it is given, and SwiftPM emits --sanitize=fuzzer and
    # --sanitize=address in no fixed order, so Swift code would get coverage or ASan, not both.
    # The combined -Xswiftc flag comes last and gives both; --sanitize still covers C and linking.
    "${NICE[@]}" swift build -c release --sanitize=fuzzer --sanitize=address -Xswiftc -sanitize=fuzzer,address \
        --package-path "$ROOT/Fuzz" --scratch-path "$SCRATCH" 2>&1 \
        | grep -v "Cannot export local symbol '__asan_extra_spill_area'" || true
    [[ ${PIPESTATUS[0]} -eq 0 ]] || die "the build failed"
    echo "== fuzz: built in $(( $(date +%s) - start )) s"
fi

# Leaks are not findings here (the harness keeps nothing); the Swift backtracer would fight
# ASan for the crashing process, so libFuzzer's own report is used instead.
export SWIFT_BACKTRACE=enable=no
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0:allocator_may_return_null=1}"

failed=0
summary=()
for name in "${TARGETS[@]}"; do
    case "$name" in
        scanner) exe="$BIN/FuzzScanner" ;;
        config) exe="$BIN/FuzzConfig" ;;
    esac
    [[ -x "$exe" ]] || die "$exe is missing; run without --no-build"
    corpus="$SCRATCH/corpus/$name"
    log="$SCRATCH/logs/$name.log"
    mkdir -p "$corpus"
    args=(-timeout="$TIMEOUT" -report_slow_units=1 -max_len=65536 -rss_limit_mb=2048 -print_final_stats=1
          -dict="$ROOT/Fuzz/$name.dict" -artifact_prefix="$SCRATCH/artifacts/$name-")
    [[ -n "$SECONDS_LIMIT" ]] && args+=(-max_total_time="$SECONDS_LIMIT")
    [[ -n "$RUNS" ]] && args+=(-runs="$RUNS")
    echo "== fuzz: $name (${SECONDS_LIMIT:+$SECONDS_LIMIT s}${SECONDS_LIMIT:+${RUNS:+, }}${RUNS:+$RUNS runs}; log .build-fuzz/logs/$name.log)"
    set +e
    "${NICE[@]}" "$exe" "${args[@]}" "$corpus" "$ROOT/Fuzz/corpus/$name" >"$log" 2>&1
    status=$?
    set -e
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "$log" | tail -1)
    slowest=$(sed -n 's/^stat::slowest_unit_time_sec: *//p' "$log" | tail -1)
    files=$(find "$corpus" -type f | wc -l)
    if [[ $status -eq 0 ]]; then
        line="fuzz: $name: ${execs:-?} execs, ${rate:-?} exec/s, slowest input ${slowest:-?} s, corpus $files files, peak RSS ${rss:-?} MB, no crash, no timeout"
    else
        failed=1
        artifact=$(sed -n "s/.*Test unit written to \(.*\)$/\1/p" "$log" | grep -v slow-unit | tail -1)
        reason=$(grep -m1 -E "Fatal error|ERROR: libFuzzer|ERROR: AddressSanitizer|SUMMARY|run interrupted" "$log" || echo "exit status $status")
        line="fuzz: $name: FAILED after ${execs:-?} execs: $reason; input: ${artifact:-none}"
        echo "---- last lines of .build-fuzz/logs/$name.log"
        grep -v -E "^#[0-9]+.*(NEW|REDUCE|pulse)|NEW_FUNC|Uses: " "$log" | tail -40
        echo "----"
    fi
    echo "$line"
    summary+=("$line")
done

echo "== fuzz summary"
printf '%s\n' "${summary[@]}"
exit $failed
