#!/usr/bin/env bash
# Builds the bn254 test/benchmark driver from the repository's C sources.
#   bash Tests/precompiles/bn254/build.sh OUT      (optimised, -O2)
#   SAN=1 bash Tests/precompiles/bn254/build.sh OUT (AddressSanitizer + UBSan)
# CC and CFLAGS override the compiler and the optimisation flags.
set -euo pipefail
out=${1:?usage: build.sh OUTPUT_PATH}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
cc=${CC:-clang}
flags=${CFLAGS:--O2}
if [[ "${SAN:-0}" != 0 ]]; then flags="-O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all"; fi
$cc -std=c11 -Wall -Wextra -Werror $flags \
    -I"$root/CSupport/CParallaxPrecompiles/include" -I"$root/CSupport/CParallaxCore/include" \
    "$root/Tests/precompiles/bn254/driver.c" "$root/CSupport/CParallaxPrecompiles/px_bn254.c" \
    "$root/CSupport/CParallaxCore/px_cpu.c" -o "$out"
