/*
 * libFuzzer target over the input parsers of the precompiles' C arithmetic.
 * The first byte picks the function (and, for bn254, the dispatch path); the
 * rest is its input, zero-padded or cut the way the EVM layer frames it.
 * Every call must return a status (never crash, hang or read out of bounds:
 * the target is built with AddressSanitizer and UBSan), and the two dispatch
 * paths must agree byte for byte.
 */
#include "CParallaxPrecompiles.h"
#include "px_cpu.h"

#include <stdlib.h>
#include <string.h>

static void padded(const uint8_t *data, size_t size, uint8_t *out, size_t n) {
    memset(out, 0, n);
    memcpy(out, data, size < n ? size : n);
}

/* Runs `call` on the fast path and the portable one; aborts when they differ. */
#define BOTH_PATHS(call, out, n)                                                                   \
    do {                                                                                           \
        uint8_t fast[n], slow[n];                                                                  \
        memset(out, 0, n);                                                                         \
        int rf = call;                                                                             \
        memcpy(fast, out, n);                                                                      \
        px_cpu_restrict(0);                                                                        \
        memset(out, 0, n);                                                                         \
        int rs = call;                                                                             \
        memcpy(slow, out, n);                                                                      \
        px_cpu_restrict(PX_CPU_ALL_FEATURES);                                                      \
        if (rf != rs || (rf == 0 && memcmp(fast, slow, n) != 0)) abort();                          \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0) return 0;
    uint8_t which = data[0] % 6;
    data++;
    size--;
    switch (which) {
    case 0: { /* modexp: three lengths of at most 255 bytes, then the operands, zero-padded */
        if (size < 3) return 0;
        size_t bl = data[0], el = data[1], ml = data[2];
        uint8_t *buf = calloc(bl + el + ml + 1, 1);
        memcpy(buf, data + 3, size - 3 < bl + el + ml ? size - 3 : bl + el + ml);
        uint8_t *out = malloc(ml + 1);
        (void)px_modexp(buf, bl, buf + bl, el, buf + bl + el, ml, out);
        free(buf);
        free(out);
        break;
    }
    case 1: { /* blake2f with its round count capped (the EVM charges a gas per round) */
        uint8_t in[213], out[64];
        padded(data, size, in, 213);
        in[0] = in[1] = 0;
        (void)px_blake2f(in, out);
        break;
    }
    case 2: {
        uint8_t in[128], out[64];
        padded(data, size, in, 128);
        BOTH_PATHS(px_bn254_add(in, out), out, 64);
        break;
    }
    case 3: {
        uint8_t in[96], out[64];
        padded(data, size, in, 96);
        BOTH_PATHS(px_bn254_mul(in, out), out, 64);
        break;
    }
    case 4: { /* pairing: any length (the function checks it), at most 4 pairs */
        size_t n = size < 4 * 192 ? size : 4 * 192;
        int result = -1;
        int r = px_bn254_pairing_check(data, n, &result);
        int result2 = -1;
        px_cpu_restrict(0);
        int r2 = px_bn254_pairing_check(data, n, &result2);
        px_cpu_restrict(PX_CPU_ALL_FEATURES);
        if (r != r2 || (r == 0 && result != result2)) abort();
        break;
    }
    case 5: { /* KZG: commitment, z, y, proof */
        uint8_t in[160];
        padded(data, size, in, 160);
        int valid = -1;
        int r = px_kzg_verify_proof(in, in + 48, in + 80, in + 112, &valid);
        int valid2 = -1;
        px_cpu_restrict(0);
        int r2 = px_kzg_verify_proof(in, in + 48, in + 80, in + 112, &valid2);
        px_cpu_restrict(PX_CPU_ALL_FEATURES);
        if (r != r2 || (r == 0 && valid != valid2)) abort();
        break;
    }
    }
    return 0;
}
