/*
 * px_fe_pow_p58_many: w^((p-5)/8) for many field elements at once, the one
 * exponentiation of point decoding (see px_ed25519_group.h).
 *
 * Algorithm: with AVX-512 IFMA, elements are sliced across vector lanes: two
 * independent 8-lane vectors (16 elements) go through the addition chain of
 * px_fe_pow_p58 together, so one chain's carries hide the other's multiplier
 * latency. Each element is five limbs in radix 2^52 (one 64-bit lane per limb
 * and element). Products use vpmadd52luq/vpmadd52huq, which multiply the low 52
 * bits of two lanes and add the low or high 52 bits of the 104-bit product
 * (the layout of Gueron and Krasnov's IFMA multiplication and of the AVX-512
 * back end of curve25519-dalek, here written independently). Columns 5..9 fold
 * back with 2^260 = 608 (mod p), the top limb with 2^255 = 19.
 *
 * Invariants: every limb fed to an IFMA instruction is < 2^52 (the instruction
 * ignores higher bits): mul/sq outputs have limbs 0..3 < 2^52 and limb 4 < 2^47 + 1,
 * so their value is < 2^255 + 2^52; the conversions in and out are exact.
 * Without IFMA in `features` the scalar chain runs.
 */
#include "px_ed25519_group.h"
#include "px_cpu.h"

#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>

#define PX_IFMA __attribute__((target("avx512f,avx512ifma")))
#define LANES 8
#define WAYS 2

typedef struct vfe { __m512i l[5]; } vfe;
_Static_assert(WAYS * LANES == 16, "groups of 16 elements, as px_fe_pow_p58_many assumes");

PX_IFMA static inline __m512i mask52(void) { return _mm512_set1_epi64((1ll << 52) - 1); }

/* Columns c[0..9] (each < 2^57) of a product, to five reduced limbs. */
PX_IFMA static inline void vfe_reduce(vfe *r, __m512i c[10]) {
    const __m512i m = mask52();
    const __m512i k608 = _mm512_set1_epi64(608), k608sq = _mm512_set1_epi64(608 * 608);
    const __m512i k19 = _mm512_set1_epi64(19), m47 = _mm512_set1_epi64((1ll << 47) - 1);
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
    /* Carry through the five limbs, fold bits >= 2^255 with 19, carry again:
     * the second pass ends in limb 4, which has 5 bits of headroom. */
    for (int k = 0; k < 4; k++) {
        c[k + 1] = _mm512_add_epi64(c[k + 1], _mm512_srli_epi64(c[k], 52));
        c[k] = _mm512_and_si512(c[k], m);
    }
    __m512i top = _mm512_srli_epi64(c[4], 47);
    c[4] = _mm512_and_si512(c[4], m47);
    c[0] = _mm512_madd52lo_epu64(c[0], top, k19);
    for (int k = 0; k < 4; k++) {
        c[k + 1] = _mm512_add_epi64(c[k + 1], _mm512_srli_epi64(c[k], 52));
        c[k] = _mm512_and_si512(c[k], m);
    }
    for (int k = 0; k < 5; k++) r->l[k] = c[k];
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

/* WAYS independent vectors side by side. */
typedef struct vfe2 { vfe w[WAYS]; } vfe2;

PX_IFMA static void v2_mul(vfe2 *r, const vfe2 *a, const vfe2 *b) {
    for (int w = 0; w < WAYS; w++) vfe_mul(&r->w[w], &a->w[w], &b->w[w]);
}

PX_IFMA static void v2_sq_times(vfe2 *r, const vfe2 *a, int n) {
    vfe2 t = *a;
    for (int i = 0; i < n; i++) {
        for (int w = 0; w < WAYS; w++) vfe_sq(&t.w[w], &t.w[w]);
    }
    *r = t;
}

/* The addition chain of px_fe_pow_p58, lane-sliced. */
PX_IFMA static void v2_pow_p58(vfe2 *out, const vfe2 *z) {
    vfe2 t0, t1, z2, z9, z11, z2_5_0, z2_10_0, z2_20_0, z2_50_0, z2_100_0;
    v2_sq_times(&z2, z, 1);
    v2_sq_times(&t0, &z2, 2);
    v2_mul(&z9, &t0, z);
    v2_mul(&z11, &z9, &z2);
    v2_sq_times(&t0, &z11, 1);
    v2_mul(&z2_5_0, &t0, &z9);
    v2_sq_times(&t0, &z2_5_0, 5);
    v2_mul(&z2_10_0, &t0, &z2_5_0);
    v2_sq_times(&t0, &z2_10_0, 10);
    v2_mul(&z2_20_0, &t0, &z2_10_0);
    v2_sq_times(&t0, &z2_20_0, 20);
    v2_mul(&t1, &t0, &z2_20_0);
    v2_sq_times(&t0, &t1, 10);
    v2_mul(&z2_50_0, &t0, &z2_10_0);
    v2_sq_times(&t0, &z2_50_0, 50);
    v2_mul(&z2_100_0, &t0, &z2_50_0);
    v2_sq_times(&t0, &z2_100_0, 100);
    v2_mul(&t1, &t0, &z2_100_0);
    v2_sq_times(&t0, &t1, 50);
    v2_mul(&t1, &t0, &z2_50_0);
    v2_sq_times(&t0, &t1, 2);
    v2_mul(out, &t0, z);
}

/* Radix 2^51 (any limbs < 2^63) to radix 2^52 limbs < 2^52, value < p. */
static void to_radix52(uint64_t l[5], const px_fe *f) {
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
static void from_radix52(px_fe *f, const uint64_t l[5]) {
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

PX_IFMA static void pow_group_ifma(px_fe *out, const px_fe *in, size_t n) {
    uint64_t lanes[5][WAYS * LANES] __attribute__((aligned(64)));
    memset(lanes, 0, sizeof lanes);
    for (size_t i = 0; i < n; i++) {
        uint64_t l[5];
        to_radix52(l, &in[i]);
        for (int k = 0; k < 5; k++) lanes[k][i] = l[k];
    }
    vfe2 z, r;
    for (int w = 0; w < WAYS; w++) {
        for (int k = 0; k < 5; k++) z.w[w].l[k] = _mm512_load_si512(&lanes[k][w * LANES]);
    }
    v2_pow_p58(&r, &z);
    for (int w = 0; w < WAYS; w++) {
        for (int k = 0; k < 5; k++) _mm512_store_si512(&lanes[k][w * LANES], r.w[w].l[k]);
    }
    for (size_t i = 0; i < n; i++) {
        uint64_t l[5];
        for (int k = 0; k < 5; k++) l[k] = lanes[k][i];
        from_radix52(&out[i], l);
    }
}

void px_fe_pow_p58_many(px_fe *out, const px_fe *in, size_t n, uint32_t features) {
    const uint32_t needed = px_cpu_avx512f | px_cpu_avx512ifma;
    size_t i = 0;
    /* A group of 16 costs about as much as 5 scalar exponentiations. */
    if ((features & needed) == needed) {
        while (n - i > 4) {
            size_t group = n - i < WAYS * LANES ? n - i : WAYS * LANES;
            pow_group_ifma(out + i, in + i, group);
            i += group;
        }
    }
    for (; i < n; i++) px_fe_pow_p58(&out[i], &in[i]);
}

#else

void px_fe_pow_p58_many(px_fe *out, const px_fe *in, size_t n, uint32_t features) {
    (void)features;
    for (size_t i = 0; i < n; i++) px_fe_pow_p58(&out[i], &in[i]);
}

#endif
