#!/usr/bin/env bash
# Builds the libFuzzer targets of Fuzz/ (docs/fuzzing.md) with SwiftPM's
# fuzzer and address sanitizers, so the Parallax modules themselves carry the
# coverage instrumentation, then runs each target for a time budget on a
# working copy of its committed seed corpus (Fuzz/corpus/<target>).
#
# Usage: scripts/fuzz.sh [--seconds S] [--jobs N] [--build-only] [TARGET...]
#   --seconds: libFuzzer time per target (default: $FUZZ_SECONDS, else 60)
#   --jobs: parallel libFuzzer processes per target (default 1)
#   --build-only: build parallax-fuzz and stop
#   TARGET: envelope, config, rlp, ethereum-transaction, evm (default: all)
# Environment: FUZZ_SCRATCH (build folder, default .build-fuzz),
#   FUZZ_OUT (working corpora and crash artifacts, default $FUZZ_SCRATCH/fuzz-out).
# A crash or a broken property stops that target, leaves the input as
# $FUZZ_OUT/<target>/crash-*, and makes the script fail after the others ran.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${FUZZ_SECONDS:-60}
jobs=1
build_only=0
targets=()
while (($#)); do
    case "$1" in
        --seconds) seconds="$2"; shift 2 ;;
        --jobs) jobs="$2"; shift 2 ;;
        --build-only) build_only=1; shift ;;
        -*) echo "fuzz.sh: unknown option $1" >&2; exit 2 ;;
        *) targets+=("$1"); shift ;;
    esac
done
((${#targets[@]})) || targets=(envelope config rlp ethereum-transaction evm)

scratch=${FUZZ_SCRATCH:-.build-fuzz}
out=${FUZZ_OUT:-$scratch/fuzz-out}
# The manifest declares parallax-fuzz only when PARALLAX_FUZZ is set (Package.swift).
# -Xswiftc -sanitize=fuzzer,address: SwiftPM passes its two sanitizers to the Swift
# driver as two flags, and swift-driver 6.3 then gives each frontend job only one of
# them (the compile jobs only -sanitize=address), which leaves every Swift module
# without coverage instrumentation; one joined flag reaches every job. SwiftPM's
# own --sanitize flags stay for the C targets and the link (libFuzzer's main).
# lld: gold warns about every sanitizer symbol it cannot export.
PARALLAX_FUZZ=1 "${SWIFT:-swift}" build --product parallax-fuzz --sanitize=fuzzer --sanitize=address \
    -Xswiftc -sanitize=fuzzer,address --scratch-path "$scratch" -Xswiftc -use-ld=lld
binary="$scratch/debug/parallax-fuzz"
((build_only)) && exit 0

failed=()
for target in "${targets[@]}"; do
    seeds=Fuzz/corpus/$target
    [[ -d $seeds ]] || { echo "fuzz.sh: no seed corpus $seeds" >&2; exit 2; }
    work=$out/$target
    mkdir -p "$work/corpus"
    cp -n "$seeds"/* "$work/corpus/" 2>/dev/null || true
    # Per-target input bounds: the EVM target's inputs are code, the others' are messages.
    max_len=4096
    [[ $target == evm ]] && max_len=1024
    echo "== fuzz $target: ${seconds}s"
    parallel=()
    ((jobs > 1)) && parallel=(-fork="$jobs")
    if ! SWIFT_BACKTRACE=enable=no LSAN_OPTIONS=suppressions=Fuzz/lsan-suppressions.txt:print_suppressions=0 PARALLAX_FUZZ_TARGET=$target "$binary" -max_total_time="$seconds" -max_len=$max_len -timeout=60 \
            -rss_limit_mb=4096 -print_final_stats=1 "${parallel[@]}" \
            -artifact_prefix="$work/" "$work/corpus" >"$work/log" 2>&1; then
        failed+=("$target")
        tail -40 "$work/log"
    fi
    grep -E "^stat::(number_of_executed_units|average_exec_per_sec|new_units_added)|^#[0-9]+ +DONE" "$work/log" | tail -4
done
if ((${#failed[@]})); then
    echo "fuzz.sh: failures in: ${failed[*]} (inputs under $out/<target>/)" >&2
    exit 1
fi
