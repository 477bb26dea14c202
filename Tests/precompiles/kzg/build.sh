#!/usr/bin/env bash
# Builds the KZG (EIP-4844 point evaluation) test/benchmark driver from the
# repository's C sources.
#   bash Tests/precompiles/kzg/build.sh OUT        (optimised, -O2)
#   SAN=1 bash Tests/precompiles/kzg/build.sh OUT  (AddressSanitizer + UBSan)
# CC and CFLAGS override the compiler and the optimisation flags.
set -euo pipefail
out=${1:?usage: build.sh OUTPUT_PATH}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
pre=$root/CSupport/CParallaxPrecompiles
cc=${CC:-clang}
flags=${CFLAGS:--O2}
if [[ "${SAN:-0}" != 0 ]]; then flags="-O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all"; fi
# shellcheck disable=SC2086
$cc -std=c11 -Wall -Wextra -Werror $flags \
    -I"$pre/include" -I"$root/CSupport/CParallaxCore/include" \
    "$root/Tests/precompiles/kzg/driver.c" "$pre/px_kzg.c" "$pre/px_bls12_381_port.c" \
    "$pre/px_bls12_381_adx.c" "$pre/px_bls12_381_tables.c" \
    "$root/CSupport/CParallaxCore/px_cpu.c" -o "$out"
