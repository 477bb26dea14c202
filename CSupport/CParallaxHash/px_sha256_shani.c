/*
 * px_sha256_shani.c — SHA-256 with the SHA extensions (SHA-NI), several
 * messages interleaved.
 *
 * Algorithm: Intel's SHA-NI programming model (the "Intel SHA Extensions"
 * white paper, 2013): the state lives in two registers, ABEF and CDGH;
 * sha256rnds2 performs two rounds, sha256msg1/sha256msg2 compute the message
 * schedule four words at a time. One message alone is bound by the latency of
 * the chain of sha256rnds2 (each depends on the previous), leaving the SHA unit
 * mostly idle; this kernel therefore advances PX_SHANI_LANES independent
 * messages block by block in lockstep, so the out-of-order core overlaps their
 * chains. Lanes are fed by px_hash_lanes.h; once the batch has no unstarted
 * message left, the lanes still mid-message finish one at a time, so no lane
 * ever hashes a dummy block.
 *
 * Invariant: S0[j]/S1[j] hold lane j's ABEF/CDGH after every whole block.
 */
/* x86-64 only; on other CPUs dispatch never selects this kernel and the
 * file compiles to nothing. */
#if defined(__x86_64__)
#include <immintrin.h>

#include "px_hash_lanes.h"
#include "px_sha256_consts.h"

#define PX_TARGET __attribute__((target("sha,sse4.1,ssse3")))

#ifndef PX_SHANI_LANES
#define PX_SHANI_LANES 4
#endif
enum { LANES = PX_SHANI_LANES };

PX_TARGET static inline __m128i load_words(const uint8_t *p) {
    const __m128i bswap32 = _mm_set_epi64x(0x0c0d0e0f08090a0bll, 0x0405060700010203ll);
    return _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)p), bswap32);
}

/* Rounds 4k .. 4k+3 given W[4k .. 4k+3]. */
PX_TARGET static inline void rounds4(__m128i *abef, __m128i *cdgh, __m128i w, int k) {
    __m128i wk = _mm_add_epi32(w, _mm_load_si128((const __m128i *)&px_sha256_k[4 * k]));
    *cdgh = _mm_sha256rnds2_epu32(*cdgh, *abef, wk);
    *abef = _mm_sha256rnds2_epu32(*abef, *cdgh, _mm_shuffle_epi32(wk, 0x0E));
}

/* W[4k .. 4k+3] from the four previous groups (FIPS 180-4 eq. 6.2.2 step 1). */
PX_TARGET static inline __m128i schedule(__m128i w4, __m128i w3, __m128i w2, __m128i w1) {
    __m128i t = _mm_add_epi32(_mm_sha256msg1_epu32(w4, w3), _mm_alignr_epi8(w1, w2, 4));
    return _mm_sha256msg2_epu32(t, w1);
}

/* One block for each of n lanes: W is a ring of four groups per lane, S0/S1
 * the lanes' states, blocks their block pointers. */
#define PX_SHANI_FIRST(n, k)                                                   \
    for (int j = 0; j < (n); j++) {                                          \
        W[j][k] = load_words(blocks[j] + 16 * (k));                            \
        rounds4(&S0[j], &S1[j], W[j][k], (k));                                 \
    }
#define PX_SHANI_NEXT(n, k)                                                    \
    for (int j = 0; j < (n); j++) {                                          \
        W[j][(k) & 3] = schedule(W[j][(k) & 3], W[j][((k) + 1) & 3],           \
                                 W[j][((k) + 2) & 3], W[j][((k) + 3) & 3]);    \
        rounds4(&S0[j], &S1[j], W[j][(k) & 3], (k));                           \
    }

#define PX_SHANI_BLOCK(n)                                                      \
    PX_SHANI_FIRST(n, 0) PX_SHANI_FIRST(n, 1) PX_SHANI_FIRST(n, 2) PX_SHANI_FIRST(n, 3) \
    PX_SHANI_NEXT(n, 4) PX_SHANI_NEXT(n, 5) PX_SHANI_NEXT(n, 6) PX_SHANI_NEXT(n, 7)     \
    PX_SHANI_NEXT(n, 8) PX_SHANI_NEXT(n, 9) PX_SHANI_NEXT(n, 10) PX_SHANI_NEXT(n, 11)   \
    PX_SHANI_NEXT(n, 12) PX_SHANI_NEXT(n, 13) PX_SHANI_NEXT(n, 14) PX_SHANI_NEXT(n, 15)

PX_TARGET static inline void compress_lanes(__m128i S0[LANES], __m128i S1[LANES],
                                            const uint8_t *const blocks[LANES]) {
    __m128i W[LANES][4], saved0[LANES], saved1[LANES];
    for (int j = 0; j < LANES; j++) {
        saved0[j] = S0[j];
        saved1[j] = S1[j];
    }
    PX_SHANI_BLOCK(LANES)
    for (int j = 0; j < LANES; j++) {
        S0[j] = _mm_add_epi32(S0[j], saved0[j]);
        S1[j] = _mm_add_epi32(S1[j], saved1[j]);
    }
}

PX_TARGET static inline void compress_one(__m128i *abef, __m128i *cdgh, const uint8_t *block) {
    const uint8_t *const blocks[1] = {block};
    __m128i S0[1] = {*abef}, S1[1] = {*cdgh}, W[1][4];
    PX_SHANI_BLOCK(1)
    *abef = _mm_add_epi32(S0[0], *abef);
    *cdgh = _mm_add_epi32(S1[0], *cdgh);
}

PX_TARGET static inline void initial_state(__m128i *abef, __m128i *cdgh) {
    *abef = _mm_set_epi32((int)px_sha256_iv[0], (int)px_sha256_iv[1], (int)px_sha256_iv[4], (int)px_sha256_iv[5]);
    *cdgh = _mm_set_epi32((int)px_sha256_iv[2], (int)px_sha256_iv[3], (int)px_sha256_iv[6], (int)px_sha256_iv[7]);
}

PX_TARGET static inline void write_digest(__m128i abef, __m128i cdgh, uint8_t *dst) {
    uint32_t x[4], y[4];
    _mm_storeu_si128((__m128i *)x, abef); /* x = F E B A, element 0 first */
    _mm_storeu_si128((__m128i *)y, cdgh); /* y = H G D C */
    const uint32_t h[8] = {x[3], x[2], y[3], y[2], x[1], x[0], y[1], y[0]};
    for (int i = 0; i < 8; i++) {
        uint32_t be = __builtin_bswap32(h[i]);
        memcpy(dst + 4 * i, &be, 4);
    }
}

PX_TARGET void px_sha256_shani(px_hash_feed *feed, uint8_t (*out)[32]) {
    px_hash_lane lanes[LANES];
    uint8_t scratch[LANES][PX_SHA256_BLOCK];
    __m128i S0[LANES], S1[LANES];
    int all_busy = 1;
    for (int j = 0; j < LANES; j++) {
        all_busy &= px_lane_take(feed, &lanes[j]);
        initial_state(&S0[j], &S1[j]);
    }
    while (all_busy) {
        const uint8_t *blocks[LANES];
        int final[LANES];
        for (int j = 0; j < LANES; j++) blocks[j] = px_sha256_lane_block(&lanes[j], scratch[j], &final[j]);
        compress_lanes(S0, S1, blocks);
        for (int j = 0; j < LANES; j++) {
            if (!final[j]) continue;
            write_digest(S0[j], S1[j], out[lanes[j].index]);
            initial_state(&S0[j], &S1[j]);
            all_busy &= px_lane_take(feed, &lanes[j]);
        }
    }
    /* The batch is exhausted: finish the lanes still mid-message one by one.
     * Copying to plain arrays keeps the loop above free of variable indices. */
    __m128i rest0[LANES], rest1[LANES];
    for (int j = 0; j < LANES; j++) {
        rest0[j] = S0[j];
        rest1[j] = S1[j];
    }
    for (int j = 0; j < LANES; j++) {
        if (lanes[j].index == PX_LANE_IDLE) continue;
        int final = 0;
        while (!final) compress_one(&rest0[j], &rest1[j], px_sha256_lane_block(&lanes[j], scratch[j], &final));
        write_digest(rest0[j], rest1[j], out[lanes[j].index]);
    }
}

#endif /* __x86_64__ */
