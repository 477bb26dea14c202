/*
 * px_keccak_avx512.c — Keccak-256, 8 messages at once in the 8 64-bit lanes
 * of ZMM registers (AVX-512F).
 *
 * Algorithm: the multi-buffer layout of the Keccak team's "times8" code (XKCP
 * KeccakP-1600-times8): word i of the state of message j is element j of
 * vector A[i], so every step of the permutation is one vector operation for
 * eight messages. Two AVX-512 instructions do the work of several: vpternlogq
 * evaluates the 3-input XOR of theta and the a ^ (~b & c) of chi in one
 * instruction, and vprolq rotates in one (AVX2 needs two shifts and an OR).
 *
 * Lanes are fed by px_hash_lanes.h: each step absorbs one 136-byte block per
 * lane; a lane that starts a new message has its state zeroed with a mask in
 * the same instruction that absorbs the block. Zen4 executes a 512-bit
 * operation as two 256-bit halves, so on that core this kernel runs about as
 * fast per message as the 4-lane one with AVX-512VL; it wins where 512-bit
 * units are native.
 */
/* x86-64 only; on other CPUs dispatch never selects this kernel and the
 * file compiles to nothing. */
#if defined(__x86_64__)
#include <immintrin.h>

#include "px_hash_lanes.h"

#define PX_TARGET __attribute__((target("avx512f")))
#define PXK_XOR(a, b) _mm512_xor_si512((a), (b))
#define PXK_XOR3(a, b, c) _mm512_ternarylogic_epi64((a), (b), (c), 0x96)
#define PXK_ROL(a, n) _mm512_rol_epi64((a), (n))
/* Truth table of a ^ (~b & c) over (a, b, c) as bits 2, 1, 0 of the index. */
#define PXK_CHI(a, b, c) _mm512_ternarylogic_epi64((a), (b), (c), 0xD2)
#define PXK_IOTA(a, rc) _mm512_xor_si512((a), _mm512_set1_epi64((long long)(rc)))
#include "px_keccak_round.h"

enum { LANES = 8, RATE_WORDS = PX_KECCAK256_RATE / 8 };

PX_TARGET static inline void keccak_f1600_x8(__m512i A[25]) {
    for (int round = 0; round < 24; round++) {
        PXK_ROUND(__m512i, A, px_keccak_rc[round]);
    }
}

PX_TARGET void px_keccak256_avx512(px_hash_feed *feed, uint8_t (*out)[32]) {
    px_hash_lane lanes[LANES];
    uint8_t scratch[LANES][PX_KECCAK256_RATE];
    _Alignas(64) uint64_t words[RATE_WORDS][LANES];
    _Alignas(64) uint64_t digest[4][LANES];
    int busy = 0;
    for (int l = 0; l < LANES; l++) busy += px_lane_take(feed, &lanes[l]);

    __m512i A[25];
    for (int i = 0; i < 25; i++) A[i] = _mm512_setzero_si512();
    __mmask8 keep = 0; /* lanes continuing a message; the others restart from zero */
    while (busy) {
        unsigned finals = 0;
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
        for (int w = 0; w < RATE_WORDS; w++) {
            __m512i m = _mm512_load_si512((const void *)words[w]);
            A[w] = _mm512_mask_xor_epi64(m, keep, A[w], m);
        }
        for (int w = RATE_WORDS; w < 25; w++) A[w] = _mm512_maskz_mov_epi64(keep, A[w]);

        keccak_f1600_x8(A);

        keep = (__mmask8)~finals;
        if (!finals) continue;
        for (int w = 0; w < 4; w++) _mm512_store_si512((void *)digest[w], A[w]);
        for (int l = 0; l < LANES; l++) {
            if (!(finals >> l & 1)) continue;
            uint8_t *dst = out[lanes[l].index];
            for (int w = 0; w < 4; w++) memcpy(dst + 8 * w, &digest[w][l], 8);
            busy -= 1 - px_lane_take(feed, &lanes[l]);
        }
    }
}

#endif /* __x86_64__ */
