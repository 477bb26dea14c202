#!/usr/bin/env bash
# Builds the modexp/blake2f differential driver from the repository's sources into $1.
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
src="$root/CSupport/CParallaxPrecompiles"
${CC:-clang} -O1 -g -fsanitize=address,undefined -I"$src/include" \
    "$(dirname "$0")/driver.c" "$src/px_modexp.c" "$src/px_blake2f.c" -lgmp -o "$1"
