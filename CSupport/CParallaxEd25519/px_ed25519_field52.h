/*
 * px_ed25519_field52.h — GF(2^255 - 19) in radix 2^52, eight elements per
 * AVX-512 vector, multiplied with IFMA (private to the shim).
 *
 * Algorithm: an element is five limbs, value = sum l[k] 2^(52 k), one 64-bit
 * lane per element in each of five vectors. Products use vpmadd52luq/huq, which
 * multiply the low 52 bits of two lanes and add the low or high 52 bits of the
 * 104-bit product (the layout of Gueron and Krasnov's IFMA multiplication and of
 * curve25519-dalek's AVX-512 back end, written here independently). Product
 * columns 5..9 fold back with 2^260 = 608 (mod p), bits >= 2^255 with 19.
 *
 * Invariant "reduced" (every vfe stored or passed between functions): limbs
 * 0..3 < 2^52, limb 4 <= 2^47, so the value is < 2^255 + 2^52 and every limb is a
 * valid IFMA multiplicand (the instruction ignores bits above 52). vfe_mul,
 * vfe_sq, vfe_add and vfe_sub take and return reduced elements; sums and
 * differences are carried back at once because IFMA cannot take them raw.
 * Functions carry PX_IFMA: callers must check px_cpu_features() first.
 */
#ifndef PX_ED25519_FIELD52_H
#define PX_ED25519_FIELD52_H

#include "px_ed25519_field.h"

#include <immintrin.h>

#define PX_IFMA __attribute__((target("avx512f,avx512ifma")))

typedef struct vfe { __m512i l[5]; } vfe;

PX_IFMA static inline __m512i mask52(void) { return _mm512_set1_epi64((1ll << 52) - 1); }

/* Limbs < 2^62 (limb 4 < 2^62 too) to a reduced element: carry, fold bits
 * >= 2^255 with 19, carry again; the second pass ends in limb 4, which then
 * stays <= 2^47. */
PX_IFMA static inline void vfe_carry(vfe *r) {
    const __m512i m = mask52(), m47 = _mm512_set1_epi64((1ll << 47) - 1);
    const __m512i k19 = _mm512_set1_epi64(19);
    for (int k = 0; k < 4; k++) {
        r->l[k + 1] = _mm512_add_epi64(r->l[k + 1], _mm512_srli_epi64(r->l[k], 52));
        r->l[k] = _mm512_and_si512(r->l[k], m);
    }
    __m512i top = _mm512_srli_epi64(r->l[4], 47);
    r->l[4] = _mm512_and_si512(r->l[4], m47);
    r->l[0] = _mm512_madd52lo_epu64(r->l[0], top, k19);
    for (int k = 0; k < 4; k++) {
        r->l[k + 1] = _mm512_add_epi64(r->l[k + 1], _mm512_srli_epi64(r->l[k], 52));
        r->l[k] = _mm512_and_si512(r->l[k], m);
    }
}

/* Columns c[0..9] (each < 2^57) of a product, to a reduced element. */
PX_IFMA static inline void vfe_reduce(vfe *r, __m512i c[10]) {
    const __m512i m = mask52();
    const __m512i k608 = _mm512_set1_epi64(608), k608sq = _mm512_set1_epi64(608 * 608);
    /* High columns to 52 bits; c10 collects what lies at 2^520 and above. */
    for (int k = 5; k < 9; k++) {
        c[k + 1] = _mm512_add_epi64(c[k + 1], _mm512_srli_epi64(c[k], 52));
        c[k] = _mm512_and_si512(c[k], m);
    }
    __m512i c10 = _mm512_srli_epi64(c[9], 52);
    c[9] = _mm512_and_si512(c[9], m);
    /* c[k] += 608 c[k+5]: low halves into column k, high halves into k+1;
     * the high half of column 9's product lands at 2^260 (608 again) and c10 at
     * 2^520 (608^2). */
    __m512i h4 = _mm512_setzero_si512();
    for (int k = 0; k < 5; k++) {
        c[k] = _mm512_madd52lo_epu64(c[k], c[k + 5], k608);
        if (k < 4) c[k + 1] = _mm512_madd52hi_epu64(c[k + 1], c[k + 5], k608);
        else h4 = _mm512_madd52hi_epu64(h4, c[k + 5], k608);
    }
    c[0] = _mm512_madd52lo_epu64(c[0], h4, k608);
    c[0] = _mm512_madd52lo_epu64(c[0], c10, k608sq);
    for (int k = 0; k < 5; k++) r->l[k] = c[k];
    vfe_carry(r);
}

PX_IFMA static inline void vfe_mul(vfe *r, const vfe *a, const vfe *b) {
    __m512i c[10];
    for (int k = 0; k < 10; k++) c[k] = _mm512_setzero_si512();
    for (int i = 0; i < 5; i++) {
        for (int j = 0; j < 5; j++) {
            c[i + j] = _mm512_madd52lo_epu64(c[i + j], a->l[i], b->l[j]);
            c[i + j + 1] = _mm512_madd52hi_epu64(c[i + j + 1], a->l[i], b->l[j]);
        }
    }
    vfe_reduce(r, c);
}

PX_IFMA static inline void vfe_sq(vfe *r, const vfe *a) {
    /* Cross products once, doubled by an addition; then the squares. */
    __m512i c[10];
    for (int k = 0; k < 10; k++) c[k] = _mm512_setzero_si512();
    for (int i = 0; i < 5; i++) {
        for (int j = i + 1; j < 5; j++) {
            c[i + j] = _mm512_madd52lo_epu64(c[i + j], a->l[i], a->l[j]);
            c[i + j + 1] = _mm512_madd52hi_epu64(c[i + j + 1], a->l[i], a->l[j]);
        }
    }
    for (int k = 0; k < 10; k++) c[k] = _mm512_add_epi64(c[k], c[k]);
    for (int i = 0; i < 5; i++) {
        c[2 * i] = _mm512_madd52lo_epu64(c[2 * i], a->l[i], a->l[i]);
        c[2 * i + 1] = _mm512_madd52hi_epu64(c[2 * i + 1], a->l[i], a->l[i]);
    }
    vfe_reduce(r, c);
}

PX_IFMA static inline void vfe_add(vfe *r, const vfe *a, const vfe *b) {
    for (int k = 0; k < 5; k++) r->l[k] = _mm512_add_epi64(a->l[k], b->l[k]);
    vfe_carry(r);
}

/* a - b + 2p: 2p's limbs (2^53 - 38, 2^53 - 2 x3, 2^48 - 2) exceed any reduced b's. */
PX_IFMA static inline void vfe_sub(vfe *r, const vfe *a, const vfe *b) {
    const __m512i p0 = _mm512_set1_epi64((1ll << 53) - 38), p1 = _mm512_set1_epi64((1ll << 53) - 2);
    const __m512i p4 = _mm512_set1_epi64((1ll << 48) - 2);
    r->l[0] = _mm512_sub_epi64(_mm512_add_epi64(a->l[0], p0), b->l[0]);
    for (int k = 1; k < 4; k++) r->l[k] = _mm512_sub_epi64(_mm512_add_epi64(a->l[k], p1), b->l[k]);
    r->l[4] = _mm512_sub_epi64(_mm512_add_epi64(a->l[4], p4), b->l[4]);
    vfe_carry(r);
}

/* Radix 2^51 (any limbs < 2^63) to radix 2^52 limbs < 2^52, value < p. */
static inline void px_fe_to_radix52(uint64_t l[5], const px_fe *f) {
    uint8_t s[32];
    uint64_t w[4];
    px_fe_tobytes(s, f);
    memcpy(w, s, 32);
    const uint64_t m = (1ull << 52) - 1;
    l[0] = w[0] & m;
    l[1] = ((w[0] >> 52) | (w[1] << 12)) & m;
    l[2] = ((w[1] >> 40) | (w[2] << 24)) & m;
    l[3] = ((w[2] >> 28) | (w[3] << 36)) & m;
    l[4] = w[3] >> 16;
}

/* Radix 2^52 (limbs 0..3 < 2^52, limb 4 < 2^52) to reduced radix 2^51. */
static inline void px_fe_from_radix52(px_fe *f, const uint64_t l[5]) {
    const uint64_t m = PX_FE_MASK51;
    uint64_t w0 = l[0] | (l[1] << 52);
    uint64_t w1 = (l[1] >> 12) | (l[2] << 40);
    uint64_t w2 = (l[2] >> 24) | (l[3] << 28);
    uint64_t w3 = (l[3] >> 36) | (l[4] << 16);
    uint64_t w4 = l[4] >> 48;
    f->v[0] = w0 & m;
    f->v[1] = ((w0 >> 51) | (w1 << 13)) & m;
    f->v[2] = ((w1 >> 38) | (w2 << 26)) & m;
    f->v[3] = ((w2 >> 25) | (w3 << 39)) & m;
    f->v[4] = (w3 >> 12) | (w4 << 52);
    px_fe_carry(f);
}

#endif /* PX_ED25519_FIELD52_H */
