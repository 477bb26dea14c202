#!/usr/bin/env bash
# Builds the precompile fuzz target (libFuzzer, AddressSanitizer, UBSan) into $1
# from every C source of CSupport/CParallaxPrecompiles.
set -euo pipefail
out=${1:?usage: build.sh OUTPUT_PATH}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
${CC:-clang} -std=c11 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
    -I"$root/CSupport/CParallaxPrecompiles/include" -I"$root/CSupport/CParallaxCore/include" \
    "$root/Tests/precompiles/fuzz/fuzz_precompiles.c" "$root"/CSupport/CParallaxPrecompiles/*.c \
    "$root/CSupport/CParallaxCore/px_cpu.c" -lgmp -o "$out"
