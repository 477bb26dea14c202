/*
 * px_keccak_avx2.c — Keccak-256, 4 messages at once in the 4 64-bit lanes of
 * YMM registers (AVX2 only, for CPUs without AVX-512).
 *
 * Same multi-buffer layout and lane feeding as px_keccak_avx512.c: word i of
 * message j's state is element j of A[i]. AVX2 has no rotate and no 3-input
 * logic, so a rotation costs two shifts and an OR and chi an ANDNOT and an
 * XOR; the rotations by 8 and 56 bits are byte shuffles (one vpshufb).
 */
/* x86-64 only; on other CPUs dispatch never selects this kernel and the
 * file compiles to nothing. */
#if defined(__x86_64__)
#include <immintrin.h>

#include "px_hash_lanes.h"

#define PX_TARGET __attribute__((target("avx2")))

PX_TARGET static inline __m256i rol64(__m256i a, int n) {
    if (n == 8)
        return _mm256_shuffle_epi8(a, _mm256_set_epi8(14, 13, 12, 11, 10, 9, 8, 15, 6, 5, 4, 3, 2, 1, 0, 7,
                                                      14, 13, 12, 11, 10, 9, 8, 15, 6, 5, 4, 3, 2, 1, 0, 7));
    if (n == 56)
        return _mm256_shuffle_epi8(a, _mm256_set_epi8(8, 15, 14, 13, 12, 11, 10, 9, 0, 7, 6, 5, 4, 3, 2, 1,
                                                      8, 15, 14, 13, 12, 11, 10, 9, 0, 7, 6, 5, 4, 3, 2, 1));
    return _mm256_or_si256(_mm256_slli_epi64(a, n), _mm256_srli_epi64(a, 64 - n));
}

#define PXK_XOR(a, b) _mm256_xor_si256((a), (b))
#define PXK_XOR3(a, b, c) _mm256_xor_si256(_mm256_xor_si256((a), (b)), (c))
#define PXK_ROL(a, n) rol64((a), (n))
#define PXK_CHI(a, b, c) _mm256_xor_si256((a), _mm256_andnot_si256((b), (c)))
#define PXK_IOTA(a, rc) _mm256_xor_si256((a), _mm256_set1_epi64x((long long)(rc)))
#include "px_keccak_round.h"

enum { LANES = 4, RATE_WORDS = PX_KECCAK256_RATE / 8 };

PX_TARGET static inline void keccak_f1600_x4(__m256i A[25]) {
    for (int round = 0; round < 24; round++) {
        PXK_ROUND(__m256i, A, px_keccak_rc[round]);
    }
}

PX_TARGET void px_keccak256_avx2(px_hash_feed *feed, uint8_t (*out)[32]) {
    px_hash_lane lanes[LANES];
    uint8_t scratch[LANES][PX_KECCAK256_RATE];
    _Alignas(32) uint64_t words[RATE_WORDS][LANES];
    _Alignas(32) uint64_t digest[4][LANES];
    int busy = 0;
    for (int l = 0; l < LANES; l++) busy += px_lane_take(feed, &lanes[l]);

    __m256i A[25];
    for (int i = 0; i < 25; i++) A[i] = _mm256_setzero_si256();
    unsigned finals = (1u << LANES) - 1; /* lanes that restart from a zero state */
    while (busy) {
        __m256i keep = _mm256_set_epi64x((finals >> 3 & 1) - 1ll, (finals >> 2 & 1) - 1ll,
                                         (finals >> 1 & 1) - 1ll, (finals & 1) - 1ll);
        finals = 0;
        for (int l = 0; l < LANES; l++) {
            if (lanes[l].index == PX_LANE_IDLE) {
                for (int w = 0; w < RATE_WORDS; w++) words[w][l] = 0;
                continue;
            }
            int final;
            const uint8_t *block = px_keccak_lane_block(&lanes[l], feed->domain, scratch[l], &final);
            for (int w = 0; w < RATE_WORDS; w++) words[w][l] = px_load_le64(block + 8 * w);
            finals |= (unsigned)final << l;
        }
        for (int w = 0; w < RATE_WORDS; w++)
            A[w] = _mm256_xor_si256(_mm256_and_si256(A[w], keep),
                                    _mm256_load_si256((const __m256i *)words[w]));
        for (int w = RATE_WORDS; w < 25; w++) A[w] = _mm256_and_si256(A[w], keep);

        keccak_f1600_x4(A);

        if (!finals) continue;
        for (int w = 0; w < 4; w++) _mm256_store_si256((__m256i *)digest[w], A[w]);
        for (int l = 0; l < LANES; l++) {
            if (!(finals >> l & 1)) continue;
            uint8_t *dst = out[lanes[l].index];
            for (int w = 0; w < 4; w++) memcpy(dst + 8 * w, &digest[w][l], 8);
            busy -= 1 - px_lane_take(feed, &lanes[l]);
        }
    }
}

#endif /* __x86_64__ */
