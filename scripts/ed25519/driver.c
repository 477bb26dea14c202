/*
 * Differential test of the Ed25519 batch paths (scripts/ed25519/run.sh test).
 *
 * Seeded random batches of 1..300 libsodium signatures, some spoiled at random
 * positions (R, S, key, message, a small-order key); every batch goes through
 * the portable path, the AVX2 path (default method), the AVX2 path with the
 * bucket method forced (window 4..10, random chunk caps) and with the Straus
 * walk forced, the single verifier (portable and AVX2) and libsodium; every
 * verdict must agree
 * (libsodium's only as accept/reject: these keys and R are honest, so the
 * cofactored rule cannot differ). Also w^((p-5)/8) on the AVX2 and portable
 * paths, including all-ones inputs. Exit status 0 iff everything agreed.
 */
#include "px_ed25519.h"
#include "px_cpu.h"
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng_state = 1;
static uint64_t rnd(void) { rng_state ^= rng_state << 13; rng_state ^= rng_state >> 7; rng_state ^= rng_state << 17; return rng_state; }

int main(int argc, char **argv) {
    if (sodium_init() < 0) return 1;
    int rounds = argc > 1 ? atoi(argv[1]) : 50;
    size_t maxn = 300;
    uint8_t *pk = malloc(32 * maxn), *sig = malloc(64 * maxn), *msg = malloc(64 * maxn);
    size_t *off = malloc(sizeof(size_t) * (maxn + 1));
    uint8_t v0[300], v1[300], vs[300];
    /* pow_p58 probe comparison */
    {
        uint8_t in[32 * 37], o0[32 * 37], o1[32 * 37];
        for (int r = 0; r < 200; r++) {
            size_t cnt = 1 + rnd() % 37;
            for (size_t i = 0; i < 32 * cnt; i++) in[i] = (uint8_t)rnd();
            if (r % 5 == 0) for (size_t i = 0; i < 32 * cnt; i++) in[i] = 0xff; /* big limbs */
            px_ed25519_probe_field_pow_p58(o0, in, cnt, 0);
            px_ed25519_probe_field_pow_p58(o1, in, cnt, px_cpu_avx2);
            if (memcmp(o0, o1, 32 * cnt)) { printf("pow mismatch r=%d\n", r); return 1; }
        }
        printf("pow_p58 ok\n");
    }
    int mism = 0;
    for (int r = 0; r < rounds; r++) {
        rng_state = 0x9E3779B97F4A7C15ull * (r + 1);
        size_t n = 1 + rnd() % maxn;
        off[0] = 0;
        for (size_t i = 0; i < n; i++) {
            uint8_t sk[64];
            uint8_t seed[32];
            for (int k = 0; k < 32; k++) seed[k] = (uint8_t)rnd();
            crypto_sign_seed_keypair(pk + 32 * i, sk, seed);
            size_t ml = rnd() % 64;
            for (size_t k = 0; k < ml; k++) msg[off[i] + k] = (uint8_t)rnd();
            off[i + 1] = off[i] + ml;
            crypto_sign_detached(sig + 64 * i, NULL, msg + off[i], ml, sk);
        }
        /* corrupt some */
        int bad = rnd() % 4 == 0 ? 0 : (int)(rnd() % 5);
        for (int b = 0; b < bad; b++) {
            size_t i = rnd() % n;
            switch (rnd() % 5) {
            case 0: sig[64 * i + rnd() % 32] ^= 1 << (rnd() % 8); break; /* R */
            case 1: sig[64 * i + 32 + rnd() % 20] ^= 1; break;        /* S */
            case 2: pk[32 * i + rnd() % 32] ^= 1 << (rnd() % 8); break;
            case 3: if (off[i + 1] > off[i]) msg[off[i]] ^= 1; else sig[64 * i] ^= 2; break;
            case 4: px_ed25519_small_order_point(rnd() % 8, pk + 32 * i); break;
            }
        }
        uint8_t seed[32];
        for (int k = 0; k < 32; k++) seed[k] = (uint8_t)rnd();
        px_ed25519_verify_batch_with(n, pk, sig, msg, off, seed, v0, 0);
        seed[0] ^= 1;
        px_ed25519_verify_batch_with(n, pk, sig, msg, off, seed, v1, px_cpu_avx2);
        uint8_t v2[300], v3[300];
        int win = 4 + r % 7;
        size_t mc = 1 + rnd() % 400;
        if (px_ed25519_verify_batch_tuned(n, pk, sig, msg, off, seed, v2, px_cpu_avx2, mc, win)) return 2;
        if (px_ed25519_verify_batch_tuned(n, pk, sig, msg, off, seed, v3, px_cpu_avx2, 0, 1)) return 2;
        for (size_t i = 0; i < n; i++) {
            if (v2[i] != v0[i] || v3[i] != v0[i]) { printf("tuned mismatch r=%d i=%zu win=%d mc=%zu: %d %d %d\n", r, i, win, mc, v0[i], v2[i], v3[i]); mism++; }
        }
        for (size_t i = 0; i < n; i++) {
            vs[i] = px_ed25519_verify_with(pk + 32 * i, sig + 64 * i, msg + off[i], off[i + 1] - off[i], 0);
            uint8_t va = (uint8_t)px_ed25519_verify_with(pk + 32 * i, sig + 64 * i, msg + off[i], off[i + 1] - off[i],
                                                         px_cpu_avx2);
            if (va != vs[i]) { printf("single mismatch r=%d i=%zu portable=%d avx2=%d\n", r, i, vs[i], va); mism++; }
            int lib = crypto_sign_verify_detached(sig + 64 * i, msg + off[i], off[i + 1] - off[i], pk + 32 * i) == 0;
            if (v0[i] != v1[i] || v0[i] != vs[i] || (lib != (v0[i] == 0))) {
                printf("mismatch r=%d i=%zu portable=%d avx2=%d single=%d lib=%d\n", r, i, v0[i], v1[i], vs[i], lib);
                mism++;
            }
        }
    }
    printf("rounds %d mismatches %d\n", rounds, mism);
    return mism != 0;
}
