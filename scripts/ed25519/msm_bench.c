/*
 * The AVX2 path's Straus walk against the bucket method with windows 5..10,
 * one group per call, at 64..1024 signatures, beside libsodium
 * (scripts/ed25519/run.sh bench [rounds]): microseconds per signature, best of
 * `rounds` interleaved rounds, and each method's ratio over libsodium.
 */
#include "px_ed25519.h"
#include "px_cpu.h"
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
int main(int argc, char **argv) {
    if (sodium_init() < 0) return 1;
    size_t maxn = 1024;
    int rounds = argc > 1 ? atoi(argv[1]) : 10;
    uint8_t *pk = malloc(32 * maxn), *sig = malloc(64 * maxn), *msg = malloc(32 * maxn);
    size_t *off = malloc(sizeof(size_t) * (maxn + 1));
    uint8_t *v = malloc(maxn);
    off[0] = 0;
    for (size_t i = 0; i < maxn; i++) {
        uint8_t sk[64];
        crypto_sign_keypair(pk + 32 * i, sk);
        randombytes_buf(msg + 32 * i, 32);
        off[i + 1] = 32 * (i + 1);
        crypto_sign_detached(sig + 64 * i, NULL, msg + 32 * i, 32, sk);
    }
    size_t sizes[] = { 64, 128, 256, 512, 1024 }; int nsizes = argc > 2 ? atoi(argv[2]) : 5;
    int methods[] = { 1, 5, 6, 7, 8, 9, 10, -1 }; /* -1: libsodium */
    int nm = 8;
    for (int s = 0; s < nsizes; s++) {
        size_t n = sizes[s];
        double best[8];
        for (int m = 0; m < nm; m++) best[m] = 1e9;
        uint8_t seed[32] = { 3 };
        for (int r = 0; r < rounds; r++) {
            for (int m = 0; m < nm; m++) {
                double t0 = now();
                for (size_t base = 0; base + n <= maxn; base += n) {
                    if (methods[m] < 0) {
                        for (size_t i = base; i < base + n; i++) if (crypto_sign_verify_detached(sig + 64 * i, msg + 32 * i, 32, pk + 32 * i)) abort();
                    } else {
                        size_t o2[1025];
                        for (size_t i = 0; i <= n; i++) o2[i] = 32 * i;
                        if (px_ed25519_verify_batch_tuned(n, pk + 32 * base, sig + 64 * base, msg + 32 * base, o2, seed, v, px_cpu_avx2, n, methods[m])) abort();
                        for (size_t i = 0; i < n; i++) if (v[i]) abort();
                    }
                }
                double t = now() - t0;
                if (t < best[m]) best[m] = t;
            }
        }
        printf("n=%4zu  per-sig us:", n);
        for (int m = 0; m < nm; m++) printf("  %s%d %.2f", methods[m] == 1 ? "straus" : methods[m] < 0 ? "lib" : "c", methods[m], best[m] * 1e6 / 1024);
        printf("   | best ratio vs lib:");
        for (int m = 0; m < nm - 1; m++) printf(" %.2f", best[nm - 1] / best[m]);
        printf("\n");
        fflush(stdout);
    }
    return 0;
}
