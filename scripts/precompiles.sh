#!/usr/bin/env bash
# Differential tests of the precompiles' C arithmetic against Python
# references from PyPI (py_ecc for bn254, ckzg for KZG, Python's own integers
# and an RFC 7693 transcription for modexp and blake2f), each driver built
# with AddressSanitizer and UBSan, then a short libFuzzer run over every
# precompile's input parser. The references live in these tests only.
#
# Usage: scripts/precompiles.sh [--count N] [--fuzz-seconds S]
#   --count: random cases per differential test (default: each script's CI size)
#   --fuzz-seconds: libFuzzer time per target (default 20)
# Environment: PRECOMPILE_SEED fixes the seeds (each run prints its seed).
set -euo pipefail
cd "$(dirname "$0")/.."

count=""
fuzz_seconds=20
while (($#)); do
    case "$1" in
        --count) count="--count $2"; shift 2 ;;
        --fuzz-seconds) fuzz_seconds="$2"; shift 2 ;;
        *) echo "precompiles.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
seed=${PRECOMPILE_SEED:+--seed $PRECOMPILE_SEED}

bash scripts/install-python-deps.sh
# lld: the default gold linker warns about every sanitizer symbol it cannot export.
export CC="${CC:-clang -fuse-ld=lld}"
out=.build/precompiles
mkdir -p "$out"

for name in modexp_blake2f bn254 kzg; do
    dir=Tests/precompiles/$name
    [[ -f $dir/diff.py ]] || { echo "precompiles.sh: $dir/diff.py is missing" >&2; exit 1; }
    SAN=1 bash "$dir/build.sh" "$out/$name-driver"
    cases=$count
    # bn254's py_ecc reference is the slow one (about 0.3 s a case): half its CI size.
    if [[ -z $cases && $name == bn254 ]]; then cases="--count 100"; fi
    # shellcheck disable=SC2086
    python3 "$dir/diff.py" --driver "$out/$name-driver" $cases $seed
done

bash Tests/precompiles/fuzz/build.sh "$out/fuzz-precompiles"
mkdir -p "$out/corpus"
cp -n Tests/precompiles/fuzz/corpus/* "$out/corpus/" 2>/dev/null || true
"$out/fuzz-precompiles" -max_total_time="$fuzz_seconds" -max_len=4096 -print_final_stats=1 "$out/corpus" 2>&1 | tail -5
