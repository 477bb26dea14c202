/*
 * px_sha256_avx2.c — SHA-256, 8 messages at once in the 8 32-bit lanes of YMM
 * registers (AVX2), for CPUs without SHA-NI.
 *
 * Algorithm: the multi-buffer SHA-256 of Intel's ISA-L crypto
 * (sha256_mb, "x8" AVX2 kernels): word t of the schedule of message j and
 * working variable a..h of message j are element j of a vector, so the FIPS
 * 180-4 compression function runs unchanged, one vector instruction for eight
 * messages. AVX2 has no 32-bit rotate: each rotation is two shifts and an OR.
 *
 * Lanes are fed by px_hash_lanes.h; the scalar code that gathers each lane's
 * block also converts it to big-endian words, so the vector code loads rows of
 * an 8 x 16 word matrix. A lane that starts a new message has its working
 * state replaced by the initial hash value with a blend.
 */
/* x86-64 only; on other CPUs dispatch never selects this kernel and the
 * file compiles to nothing. */
#if defined(__x86_64__)
#include <immintrin.h>

#include "px_hash_lanes.h"
#include "px_sha256_consts.h"

#define PX_TARGET __attribute__((target("avx2")))

enum { LANES = 8 };

#define ROTR(x, n) _mm256_or_si256(_mm256_srli_epi32((x), (n)), _mm256_slli_epi32((x), 32 - (n)))
#define XOR3(a, b, c) _mm256_xor_si256(_mm256_xor_si256((a), (b)), (c))
#define ADD(a, b) _mm256_add_epi32((a), (b))
#define BIG_SIGMA0(a) XOR3(ROTR((a), 2), ROTR((a), 13), ROTR((a), 22))
#define BIG_SIGMA1(e) XOR3(ROTR((e), 6), ROTR((e), 11), ROTR((e), 25))
#define SMALL_SIGMA0(w) XOR3(ROTR((w), 7), ROTR((w), 18), _mm256_srli_epi32((w), 3))
#define SMALL_SIGMA1(w) XOR3(ROTR((w), 17), ROTR((w), 19), _mm256_srli_epi32((w), 10))
#define CH(e, f, g) _mm256_xor_si256(_mm256_and_si256((e), (f)), _mm256_andnot_si256((e), (g)))
#define MAJ(a, b, c) _mm256_or_si256(_mm256_and_si256((a), (b)), _mm256_and_si256((c), _mm256_or_si256((a), (b))))

/* Round t (= base + i) on rotated variable names: the caller rotates a..h. */
#define ROUND(a, b, c, d, e, f, g, h, i)                                                     \
    do {                                                                                   \
        __m256i t1 = ADD(ADD(ADD(h, BIG_SIGMA1(e)), ADD(CH(e, f, g), W[i])),                 \
                         _mm256_set1_epi32((int)px_sha256_k[base + (i)]));                   \
        __m256i t2 = ADD(BIG_SIGMA0(a), MAJ(a, b, c));                                       \
        d = ADD(d, t1);                                                                    \
        h = ADD(t1, t2);                                                                   \
    } while (0)

/* W[t] for t >= 16 in the ring of 16: W[t] = s1(W[t-2]) + W[t-7] + s0(W[t-15]) + W[t-16]. */
#define SCHEDULE(i)                                                                          \
    W[i] = ADD(ADD(W[i], SMALL_SIGMA1(W[((i) + 14) & 15])),                                  \
               ADD(W[((i) + 9) & 15], SMALL_SIGMA0(W[((i) + 1) & 15])))

#define ROUNDS16                                                                             \
    ROUND(a, b, c, d, e, f, g, h, 0); ROUND(h, a, b, c, d, e, f, g, 1);                      \
    ROUND(g, h, a, b, c, d, e, f, 2); ROUND(f, g, h, a, b, c, d, e, 3);                      \
    ROUND(e, f, g, h, a, b, c, d, 4); ROUND(d, e, f, g, h, a, b, c, 5);                      \
    ROUND(c, d, e, f, g, h, a, b, 6); ROUND(b, c, d, e, f, g, h, a, 7);                      \
    ROUND(a, b, c, d, e, f, g, h, 8); ROUND(h, a, b, c, d, e, f, g, 9);                      \
    ROUND(g, h, a, b, c, d, e, f, 10); ROUND(f, g, h, a, b, c, d, e, 11);                    \
    ROUND(e, f, g, h, a, b, c, d, 12); ROUND(d, e, f, g, h, a, b, c, 13);                    \
    ROUND(c, d, e, f, g, h, a, b, 14); ROUND(b, c, d, e, f, g, h, a, 15)

/* One block per lane: state[0..7] = a..h of all lanes, words[t][j] = W[t] of lane j. */
PX_TARGET static void compress_x8(__m256i state[8], const uint32_t words[16][LANES]) {
    __m256i W[16];
    for (int t = 0; t < 16; t++) W[t] = _mm256_load_si256((const __m256i *)words[t]);
    __m256i a = state[0], b = state[1], c = state[2], d = state[3];
    __m256i e = state[4], f = state[5], g = state[6], h = state[7];
    int base = 0;
    ROUNDS16;
    for (base = 16; base < 64; base += 16) {
        SCHEDULE(0); SCHEDULE(1); SCHEDULE(2); SCHEDULE(3);
        SCHEDULE(4); SCHEDULE(5); SCHEDULE(6); SCHEDULE(7);
        SCHEDULE(8); SCHEDULE(9); SCHEDULE(10); SCHEDULE(11);
        SCHEDULE(12); SCHEDULE(13); SCHEDULE(14); SCHEDULE(15);
        ROUNDS16;
    }
    state[0] = ADD(state[0], a); state[1] = ADD(state[1], b);
    state[2] = ADD(state[2], c); state[3] = ADD(state[3], d);
    state[4] = ADD(state[4], e); state[5] = ADD(state[5], f);
    state[6] = ADD(state[6], g); state[7] = ADD(state[7], h);
}

PX_TARGET void px_sha256_avx2(px_hash_feed *feed, uint8_t (*out)[32]) {
    px_hash_lane lanes[LANES];
    uint8_t scratch[LANES][PX_SHA256_BLOCK];
    _Alignas(32) uint32_t words[16][LANES];
    _Alignas(32) uint32_t digest[8][LANES];
    int busy = 0;
    for (int j = 0; j < LANES; j++) busy += px_lane_take(feed, &lanes[j]);

    __m256i state[8];
    for (int i = 0; i < 8; i++) state[i] = _mm256_set1_epi32((int)px_sha256_iv[i]);
    while (busy) {
        unsigned finals = 0;
        for (int j = 0; j < LANES; j++) {
            if (lanes[j].index == PX_LANE_IDLE) {
                for (int t = 0; t < 16; t++) words[t][j] = 0;
                continue;
            }
            int final;
            const uint8_t *block = px_sha256_lane_block(&lanes[j], scratch[j], &final);
            for (int t = 0; t < 16; t++) words[t][j] = px_load_be32(block + 4 * t);
            finals |= (unsigned)final << j;
        }
        compress_x8(state, words);
        if (!finals) continue;
        for (int i = 0; i < 8; i++) _mm256_store_si256((__m256i *)digest[i], state[i]);
        _Alignas(32) int32_t restart[LANES];
        for (int j = 0; j < LANES; j++) {
            restart[j] = -(int32_t)(finals >> j & 1);
            if (!restart[j]) continue;
            for (int i = 0; i < 8; i++) {
                uint32_t be = __builtin_bswap32(digest[i][j]);
                memcpy(out[lanes[j].index] + 4 * i, &be, 4);
            }
            busy -= 1 - px_lane_take(feed, &lanes[j]);
        }
        __m256i mask = _mm256_load_si256((const __m256i *)restart);
        for (int i = 0; i < 8; i++)
            state[i] = _mm256_blendv_epi8(state[i], _mm256_set1_epi32((int)px_sha256_iv[i]), mask);
    }
}

#endif /* __x86_64__ */
