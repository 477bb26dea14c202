/*
 * px_ed25519_field25.h — GF(2^255 - 19) in radix 2^25.5, four elements per
 * AVX2 vector (private to the shim).
 *
 * Algorithm: an element is ten limbs, value = sum l[k] 2^ceil(25.5 k) (limbs
 * of 26 and 25 bits alternating, offsets 0, 26, 51, 77, ..., 230: the layout
 * of ref10 and of curve25519-dalek's AVX2 back end). Each limb is one vector
 * of four 64-bit lanes, one element per lane, so four independent field
 * operations run in one instruction stream. Products use vpmuludq (32 x 32 ->
 * 64 bits per lane): schoolbook 10 x 10 into ten 64-bit columns, the high
 * columns folded with 2^255 = 19 (mod p) by pre-multiplying one operand's limbs
 * by 19, and products of two odd limbs doubled (their offsets add up to one
 * bit more than the column's). Columns are carried in two interleaved chains.
 *
 * Bounds (every caller keeps them; all values are unsigned):
 *   - "reduced" (vfe25_mul/vfe25_sq/vfe25_carry outputs): even limbs < 2^26 +
 *     2^13, odd limbs < 2^25 + 2^17;
 *   - multiplication operands: even limbs < 2^27.6, odd limbs < 2^26.6 (19
 *     times a limb must fit 32 bits: 19 * 2^27.6 < 2^31.9); then each of the
 *     ten products of a column is < 2 * 2^27.6 * 2^31.9 and a column is
 *     < 2^62.8;
 *   - vfe25_add of two reduced values: even limbs < 2^27 + 2^14, odd < 2^26 +
 *     2^18;
 *   - vfe25_sub adds 2p first: subtrahend limbs must be reduced; the result
 *     (even limbs < 2^27.6, odd < 2^26.6) is an operand when the minuend is
 *     reduced;
 *   - vfe25_sub4 adds 4p (even limbs 2^28 - 4, odd 2^27 - 4): any operand may
 *     be the subtrahend; its result (< 2^28.6) must go through vfe25_carry
 *     before a multiplication.
 * Nothing here is constant time: verification handles public data only.
 * Functions carry PX_AVX2: callers must check px_cpu_features() first.
 */
#ifndef PX_ED25519_FIELD25_H
#define PX_ED25519_FIELD25_H

#include "px_ed25519_field.h"

#include <immintrin.h>

#define PX_AVX2 __attribute__((target("avx2")))
#define PX_V25_LANES 4

typedef struct vfe25 { __m256i l[10]; } vfe25;

#define PX_M26 ((1ull << 26) - 1)
#define PX_M25 ((1ull << 25) - 1)

/* One element, radix 2^51 to ten limbs (each 51-bit limb splits into 26 + 25
 * bits; a limb slightly above 2^51 leaves its excess in the odd limb). */
static inline void px_fe_to_radix25(uint64_t out[10], const px_fe *f) {
    px_fe t = *f;
    px_fe_carry(&t);
    for (int k = 0; k < 5; k++) {
        out[2 * k] = t.v[k] & PX_M26;
        out[2 * k + 1] = t.v[k] >> 26;
    }
}

/* Ten limbs (each < 2^32) back to radix 2^51, carried. */
static inline void px_fe_from_radix25(px_fe *h, const uint64_t in[10]) {
    for (int k = 0; k < 5; k++) h->v[k] = in[2 * k] + (in[2 * k + 1] << 26);
    px_fe_carry(h);
}

PX_AVX2 static inline void vfe25_add(vfe25 *h, const vfe25 *f, const vfe25 *g) {
    for (int k = 0; k < 10; k++) h->l[k] = _mm256_add_epi64(f->l[k], g->l[k]);
}

/* 2p in radix 2^25.5: limb 0 is 2^27 - 38, even limbs 2^27 - 2, odd 2^26 - 2. */
PX_AVX2 static inline void vfe25_sub(vfe25 *h, const vfe25 *f, const vfe25 *g) {
    const __m256i p0 = _mm256_set1_epi64x((1ll << 27) - 38);
    const __m256i pe = _mm256_set1_epi64x((1ll << 27) - 2);
    const __m256i po = _mm256_set1_epi64x((1ll << 26) - 2);
    h->l[0] = _mm256_sub_epi64(_mm256_add_epi64(f->l[0], p0), g->l[0]);
    for (int k = 1; k < 10; k++)
        h->l[k] = _mm256_sub_epi64(_mm256_add_epi64(f->l[k], (k & 1) ? po : pe), g->l[k]);
}

/* 4p: limb 0 is 2^28 - 76, even limbs 2^28 - 4, odd 2^27 - 4. */
PX_AVX2 static inline void vfe25_sub4(vfe25 *h, const vfe25 *f, const vfe25 *g) {
    const __m256i p0 = _mm256_set1_epi64x((1ll << 28) - 76);
    const __m256i pe = _mm256_set1_epi64x((1ll << 28) - 4);
    const __m256i po = _mm256_set1_epi64x((1ll << 27) - 4);
    h->l[0] = _mm256_sub_epi64(_mm256_add_epi64(f->l[0], p0), g->l[0]);
    for (int k = 1; k < 10; k++)
        h->l[k] = _mm256_sub_epi64(_mm256_add_epi64(f->l[k], (k & 1) ? po : pe), g->l[k]);
}

/* Test builds of the C driver (-DPX_V25_CHECK_BOUNDS) check every
 * multiplication operand against the bound above; production builds do not. */
#ifdef PX_V25_CHECK_BOUNDS
#include <stdlib.h>
PX_AVX2 static inline void vfe25_check_operand(const vfe25 *f) {
    for (int k = 0; k < 10; k++) {
        uint64_t lanes[4];
        _mm256_storeu_si256((__m256i *)lanes, f->l[k]);
        for (int i = 0; i < 4; i++) {
            if (lanes[i] >= ((k & 1) ? 101693000u : 203387000u)) abort(); /* 2^26.6, 2^27.6 */
        }
    }
}
#define PX_V25_CHECK(f) vfe25_check_operand(f)
#else
#define PX_V25_CHECK(f) ((void)0)
#endif

/* The optimizer sees vpmuludq as a 64-bit product of masked operands, so it
 * reassociates f (19 g) into (19 f) g, cannot prove 19 f fits 32 bits, and
 * emulates a 64-bit product with three vpmuludq. An empty asm on the
 * premultiplied operands hides where they came from. */
#define PX_V25_OPAQUE(v) __asm__("" : "+x"(v))

/* x * 19 for 64-bit lanes (vpmuludq would drop the high half), as x + 2x +
 * 16x, hidden from the same folding. */
PX_AVX2 static inline __m256i v25_times19(__m256i x) {
    __m256i x2 = _mm256_slli_epi64(x, 1), x16 = _mm256_slli_epi64(x, 4);
    PX_V25_OPAQUE(x2);
    PX_V25_OPAQUE(x16);
    return _mm256_add_epi64(x, _mm256_add_epi64(x2, x16));
}

/* Columns c[0..9] (each < 2^63) to a reduced element: the chains 0..4 and
 * 4..9 interleaved, the top carry folded with 19, limb 0 carried once more.
 * A column's carry is < 2^38, so 19 times it fits and the second pass leaves
 * limbs 1 and 5 only slightly above 25 bits. */
PX_AVX2 static inline void vfe25_reduce(vfe25 *h, __m256i c[10]) {
    const __m256i m26 = _mm256_set1_epi64x((long long)PX_M26);
    const __m256i m25 = _mm256_set1_epi64x((long long)PX_M25);
#define PX_V25_CARRY(k)                                                                      \
    do {                                                                                     \
        c[(k) + 1] = _mm256_add_epi64(c[(k) + 1], _mm256_srli_epi64(c[k], ((k) & 1) ? 25 : 26)); \
        c[k] = _mm256_and_si256(c[k], ((k) & 1) ? m25 : m26);                                \
    } while (0)
    PX_V25_CARRY(0); PX_V25_CARRY(4);
    PX_V25_CARRY(1); PX_V25_CARRY(5);
    PX_V25_CARRY(2); PX_V25_CARRY(6);
    PX_V25_CARRY(3); PX_V25_CARRY(7);
    PX_V25_CARRY(4); PX_V25_CARRY(8);
    c[0] = _mm256_add_epi64(c[0], v25_times19(_mm256_srli_epi64(c[9], 25)));
    c[9] = _mm256_and_si256(c[9], m25);
    PX_V25_CARRY(0);
#undef PX_V25_CARRY
    for (int k = 0; k < 10; k++) h->l[k] = c[k];
}

/* Limbs < 2^62 to reduced form. */
PX_AVX2 static inline void vfe25_carry(vfe25 *h) {
    __m256i c[10];
    for (int k = 0; k < 10; k++) c[k] = h->l[k];
    vfe25_reduce(h, c);
}

/* h = f g; f and g limbs < 2^27.6 (see the bounds above). Operand
 * scanning: the ten columns stay in registers, each limb of f is multiplied
 * by every limb of g (or 19 g, read from memory) and added to its column. */
PX_AVX2 static inline void vfe25_mul(vfe25 *h, const vfe25 *f, const vfe25 *g) {
    const __m256i k19 = _mm256_set1_epi64x(19);
    __m256i g19[10], c[10];
    PX_V25_CHECK(f);
    PX_V25_CHECK(g);
#pragma GCC unroll 10
    for (int j = 1; j < 10; j++) {
        g19[j] = _mm256_mul_epu32(g->l[j], k19);
        PX_V25_OPAQUE(g19[j]);
    }
#pragma GCC unroll 10
    for (int k = 0; k < 10; k++) c[k] = _mm256_mul_epu32(f->l[0], g->l[k]);
#pragma GCC unroll 10
    for (int i = 1; i < 10; i++) {
        const __m256i fi = f->l[i];
        const __m256i fi2 = (i & 1) ? _mm256_add_epi64(fi, fi) : fi;
#pragma GCC unroll 10
        for (int j = 0; j < 10; j++) {
            const __m256i left = (i & 1) && (j & 1) ? fi2 : fi;
            if (i + j < 10) c[i + j] = _mm256_add_epi64(c[i + j], _mm256_mul_epu32(left, g->l[j]));
            else c[i + j - 10] = _mm256_add_epi64(c[i + j - 10], _mm256_mul_epu32(left, g19[j]));
        }
    }
    vfe25_reduce(h, c);
}

/* h = f^2; f limbs < 2^27.6. Each cross product once, doubled. */
PX_AVX2 static inline void vfe25_sq(vfe25 *h, const vfe25 *f) {
    const __m256i k19 = _mm256_set1_epi64x(19);
    __m256i f19[10], fx2[10], fx4[10], c[10];
    PX_V25_CHECK(f);
#pragma GCC unroll 10
    for (int j = 0; j < 10; j++) {
        f19[j] = _mm256_mul_epu32(f->l[j], k19);
        fx2[j] = _mm256_add_epi64(f->l[j], f->l[j]);
        fx4[j] = _mm256_add_epi64(fx2[j], fx2[j]);
        PX_V25_OPAQUE(f19[j]);
        PX_V25_OPAQUE(fx2[j]);
        PX_V25_OPAQUE(fx4[j]);
    }
#pragma GCC unroll 10
    for (int k = 0; k < 10; k++) {
        __m256i acc = _mm256_setzero_si256();
        /* Pairs i <= j with i + j = k (no fold) or i + j = k + 10 (fold by 19). */
#pragma GCC unroll 10
        for (int i = 0; i < 10; i++) {
            int j = k - i;
            int wrap = 0;
            if (j < 0) { j += 10; wrap = 1; }
            if (j < i) continue;
            int factor = (i < j ? 2 : 1) * ((i & 1) && (j & 1) ? 2 : 1);
            __m256i left = factor == 1 ? f->l[i] : factor == 2 ? fx2[i] : fx4[i];
            __m256i right = wrap ? f19[j] : f->l[j];
            acc = _mm256_add_epi64(acc, _mm256_mul_epu32(left, right));
        }
        c[k] = acc;
    }
    vfe25_reduce(h, c);
}

#endif /* PX_ED25519_FIELD25_H */
