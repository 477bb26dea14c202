/*
 * px_keccak.c — Keccak-256 (Ethereum padding) and SHA3-256: the portable
 * scalar kernel and the runtime dispatch (see include/px_hash.h).
 *
 * The scalar kernel is Keccak-f[1600] on 25 uint64_t words, one message at a
 * time (FIPS 202; padding byte 0x01 as in the original Keccak submission that
 * Ethereum adopted). It is the reference the SIMD kernels are tested against
 * and the fallback on CPUs without AVX2.
 *
 * Dispatch order: AVX-512 8 lanes, AVX2 4 lanes, scalar. A batch smaller than
 * half the lanes of a multi-buffer kernel would waste most of every
 * permutation on idle lanes, so it drops to the next narrower kernel. SHA3-256
 * shares everything but the padding's domain byte.
 */
#include "px_hash.h"
#include "px_cpu.h"
#include "px_hash_lanes.h"

#define PXK_XOR(a, b) ((a) ^ (b))
#define PXK_XOR3(a, b, c) ((a) ^ (b) ^ (c))
#define PXK_ROL(a, n) (((a) << (n)) | ((a) >> (64 - (n))))
#define PXK_CHI(a, b, c) ((a) ^ (~(b) & (c)))
#define PXK_IOTA(a, rc) ((a) ^ (rc))
#include "px_keccak_round.h"

static void keccak_f1600_scalar(uint64_t A[25]) {
    for (int round = 0; round < 24; round++) {
        PXK_ROUND(uint64_t, A, px_keccak_rc[round]);
    }
}

void px_keccak256_scalar(px_hash_feed *feed, uint8_t (*out)[32]) {
    px_hash_lane lane;
    uint8_t scratch[PX_KECCAK256_RATE];
    while (px_lane_take(feed, &lane)) {
        uint64_t A[25] = {0};
        int final = 0;
        while (!final) {
            const uint8_t *block = px_keccak_lane_block(&lane, feed->domain, scratch, &final);
            for (int w = 0; w < PX_KECCAK256_RATE / 8; w++) A[w] ^= px_load_le64(block + 8 * w);
            keccak_f1600_scalar(A);
        }
        memcpy(out[lane.index], A, 32);
    }
}

static int keccak_impl_allowed(px_hash_impl impl, uint32_t features) {
    switch (impl) {
    case px_hash_impl_scalar: return 1;
    case px_hash_impl_avx2: return (features & px_cpu_avx2) != 0;
    case px_hash_impl_avx512: return (features & px_cpu_avx512f) != 0;
    default: return 0;
    }
}

int px_keccak256_available(px_hash_impl impl) {
    return keccak_impl_allowed(impl, px_cpu_detected());
}

px_hash_impl px_keccak256_selected(void) {
    uint32_t features = px_cpu_features();
    if (keccak_impl_allowed(px_hash_impl_avx512, features)) return px_hash_impl_avx512;
    if (keccak_impl_allowed(px_hash_impl_avx2, features)) return px_hash_impl_avx2;
    return px_hash_impl_scalar;
}

enum { KECCAK_DOMAIN = 0x01, SHA3_DOMAIN = 0x06 };

static void keccak_run(px_hash_impl impl, uint8_t domain, const uint8_t *const *msgs,
                       const size_t *lens, size_t n, uint8_t (*out)[32]) {
    px_hash_feed feed = {msgs, lens, n, 0, domain};
    switch (impl) {
#if defined(__x86_64__)
    case px_hash_impl_avx512: px_keccak256_avx512(&feed, out); break;
    case px_hash_impl_avx2: px_keccak256_avx2(&feed, out); break;
#endif
    default: px_keccak256_scalar(&feed, out); break;
    }
}

/* A batch smaller than half a kernel's lanes runs on the next narrower one. */
static px_hash_impl keccak_impl_for(size_t n) {
    px_hash_impl impl = px_keccak256_selected();
    if (impl == px_hash_impl_avx512 && n < 4)
        impl = keccak_impl_allowed(px_hash_impl_avx2, px_cpu_features()) ? px_hash_impl_avx2 : px_hash_impl_scalar;
    if (impl == px_hash_impl_avx2 && n < 2) impl = px_hash_impl_scalar;
    return impl;
}

void px_keccak256_batch(const uint8_t *const *msgs, const size_t *lens, size_t n,
                        uint8_t (*out)[32]) {
    keccak_run(keccak_impl_for(n), KECCAK_DOMAIN, msgs, lens, n, out);
}

void px_sha3_256_batch(const uint8_t *const *msgs, const size_t *lens, size_t n,
                       uint8_t (*out)[32]) {
    keccak_run(keccak_impl_for(n), SHA3_DOMAIN, msgs, lens, n, out);
}

int px_keccak256_batch_with(px_hash_impl impl, const uint8_t *const *msgs, const size_t *lens,
                            size_t n, uint8_t (*out)[32]) {
    if (!px_keccak256_available(impl)) return -1;
    keccak_run(impl, KECCAK_DOMAIN, msgs, lens, n, out);
    return 0;
}

int px_sha3_256_batch_with(px_hash_impl impl, const uint8_t *const *msgs, const size_t *lens,
                           size_t n, uint8_t (*out)[32]) {
    if (!px_keccak256_available(impl)) return -1;
    keccak_run(impl, SHA3_DOMAIN, msgs, lens, n, out);
    return 0;
}
