#!/bin/sh
# The Ed25519 C shim outside SwiftPM: `run.sh test` builds scripts/ed25519/driver.c
# with ASan, UBSan and the radix-2^25.5 operand-bound checks and runs the
# differential test; `run.sh bench [rounds]` builds msm_bench.c with -O2 (as
# SwiftPM does) and compares the AVX2 Straus walk with the bucket method.
# Needs clang (or CC), libsodium and an AVX2 CPU.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cc=${CC:-clang}
out=${TMPDIR:-/tmp}/px-ed25519
mkdir -p "$out"
src="$root/CSupport/CParallaxEd25519/*.c $root/CSupport/CParallaxCore/px_cpu.c"
inc="-I$root/CSupport/CParallaxEd25519/include -I$root/CSupport/CParallaxCore/include -I$root/CSupport/CParallaxEd25519"
case "${1:-test}" in
test)
    # shellcheck disable=SC2086
    $cc -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=undefined -DPX_V25_CHECK_BOUNDS \
        $inc $src "$here/driver.c" -o "$out/driver" -lsodium -lpthread
    ASAN_OPTIONS=detect_leaks=0 "$out/driver" "${2:-100}"
    ;;
bench)
    # shellcheck disable=SC2086
    $cc -O2 -fPIC -fno-omit-frame-pointer $inc $src "$here/msm_bench.c" -o "$out/msm_bench" -lsodium -lpthread
    "$out/msm_bench" "${2:-12}"
    ;;
*)
    echo "usage: $0 test [rounds] | bench [rounds]" >&2
    exit 2
    ;;
esac
