/*
 * px_sha256.c — SHA-256 (FIPS 180-4): the portable scalar kernel and the
 * runtime dispatch of px_sha256_batch (see include/px_hash.h).
 *
 * The scalar kernel is the textbook compression function (FIPS 180-4 section
 * 6.2.2) on one message at a time; it is the reference the other kernels are
 * tested against and the fallback on CPUs with neither SHA-NI nor AVX2.
 *
 * Dispatch order: SHA-NI, AVX2 8 lanes, scalar. SHA-NI comes first because on
 * the CPUs that have it (Zen, Ice Lake and later) one SHA-NI core hashes
 * faster than eight AVX2 lanes; the interleaved SHA-NI kernel already handles
 * any batch size without idle lanes.
 */
#include "px_hash.h"
#include "px_cpu.h"
#include "px_hash_lanes.h"
#include "px_sha256_consts.h"

#define ROTR32(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void sha256_compress_scalar(uint32_t h[8], const uint8_t *block) {
    uint32_t w[64];
    for (int t = 0; t < 16; t++) w[t] = px_load_be32(block + 4 * t);
    for (int t = 16; t < 64; t++) {
        uint32_t s0 = ROTR32(w[t - 15], 7) ^ ROTR32(w[t - 15], 18) ^ (w[t - 15] >> 3);
        uint32_t s1 = ROTR32(w[t - 2], 17) ^ ROTR32(w[t - 2], 19) ^ (w[t - 2] >> 10);
        w[t] = w[t - 16] + s0 + w[t - 7] + s1;
    }
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
    for (int t = 0; t < 64; t++) {
        uint32_t t1 = hh + (ROTR32(e, 6) ^ ROTR32(e, 11) ^ ROTR32(e, 25)) + ((e & f) ^ (~e & g)) +
                      px_sha256_k[t] + w[t];
        uint32_t t2 = (ROTR32(a, 2) ^ ROTR32(a, 13) ^ ROTR32(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
        hh = g;
        g = f;
        f = e;
        e = d + t1;
        d = c;
        c = b;
        b = a;
        a = t1 + t2;
    }
    h[0] += a; h[1] += b; h[2] += c; h[3] += d;
    h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
}

void px_sha256_scalar(px_hash_feed *feed, uint8_t (*out)[32]) {
    px_hash_lane lane;
    uint8_t scratch[PX_SHA256_BLOCK];
    while (px_lane_take(feed, &lane)) {
        uint32_t h[8];
        memcpy(h, px_sha256_iv, sizeof h);
        int final = 0;
        while (!final) sha256_compress_scalar(h, px_sha256_lane_block(&lane, scratch, &final));
        for (int i = 0; i < 8; i++) {
            uint32_t be = __builtin_bswap32(h[i]);
            memcpy(out[lane.index] + 4 * i, &be, 4);
        }
    }
}

static int sha256_impl_allowed(px_hash_impl impl, uint32_t features) {
    switch (impl) {
    case px_hash_impl_scalar: return 1;
    case px_hash_impl_avx2: return (features & px_cpu_avx2) != 0;
    /* The SHA-NI kernel also uses SSSE3/SSE4.1 shuffles and blends, present
     * on every CPU that has SHA-NI. */
    case px_hash_impl_sha_ni: return (features & px_cpu_sha_ni) != 0;
    default: return 0;
    }
}

int px_sha256_available(px_hash_impl impl) {
    return sha256_impl_allowed(impl, px_cpu_detected());
}

px_hash_impl px_sha256_selected(void) {
    uint32_t features = px_cpu_features();
    if (sha256_impl_allowed(px_hash_impl_sha_ni, features)) return px_hash_impl_sha_ni;
    if (sha256_impl_allowed(px_hash_impl_avx2, features)) return px_hash_impl_avx2;
    return px_hash_impl_scalar;
}

static void sha256_run(px_hash_impl impl, const uint8_t *const *msgs, const size_t *lens,
                       size_t n, uint8_t (*out)[32]) {
    px_hash_feed feed = {msgs, lens, n, 0, 0};
    switch (impl) {
#if defined(__x86_64__)
    case px_hash_impl_sha_ni: px_sha256_shani(&feed, out); break;
    case px_hash_impl_avx2: px_sha256_avx2(&feed, out); break;
#endif
    default: px_sha256_scalar(&feed, out); break;
    }
}

void px_sha256_batch(const uint8_t *const *msgs, const size_t *lens, size_t n,
                     uint8_t (*out)[32]) {
    px_hash_impl impl = px_sha256_selected();
    /* Eight AVX2 lanes for one or two messages cost more than scalar code. */
    if (impl == px_hash_impl_avx2 && n < 3) impl = px_hash_impl_scalar;
    sha256_run(impl, msgs, lens, n, out);
}

int px_sha256_batch_with(px_hash_impl impl, const uint8_t *const *msgs, const size_t *lens,
                         size_t n, uint8_t (*out)[32]) {
    if (!px_sha256_available(impl)) return -1;
    sha256_run(impl, msgs, lens, n, out);
    return 0;
}
