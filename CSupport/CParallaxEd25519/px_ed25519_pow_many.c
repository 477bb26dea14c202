/*
 * px_fe_pow_p58_many: w^((p-5)/8) for many field elements at once, the one
 * exponentiation of point decoding (see px_ed25519_group.h).
 *
 * Algorithm: with AVX-512 IFMA, elements are sliced across vector lanes: two
 * independent 8-lane vectors (16 elements) go through the addition chain of
 * px_fe_pow_p58 together, so one chain's carries hide the other's multiplier
 * latency. The lane arithmetic (radix 2^52, IFMA products) and its bounds are
 * in px_ed25519_field52.h.
 * Without IFMA in `features`, AVX2 takes eight at a time (px_ed25519_avx2.c),
 * and without either the scalar chain runs.
 */
#include "px_ed25519_group.h"
#include "px_cpu.h"

#include <string.h>

#if defined(__x86_64__)
#include "px_ed25519_field52.h"

#define LANES 8
#define WAYS 2
_Static_assert(WAYS * LANES == 16, "groups of 16 elements, as px_fe_pow_p58_many assumes");

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

PX_IFMA static void pow_group_ifma(px_fe *out, const px_fe *in, size_t n) {
    uint64_t lanes[5][WAYS * LANES] __attribute__((aligned(64)));
    memset(lanes, 0, sizeof lanes);
    for (size_t i = 0; i < n; i++) {
        uint64_t l[5];
        px_fe_to_radix52(l, &in[i]);
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
        px_fe_from_radix52(&out[i], l);
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
    } else if (features & px_cpu_avx2) {
        i = px_fe_pow_p58_many_avx2(out, in, n);
    }
    for (; i < n; i++) px_fe_pow_p58(&out[i], &in[i]);
}

#else

void px_fe_pow_p58_many(px_fe *out, const px_fe *in, size_t n, uint32_t features) {
    (void)features;
    for (size_t i = 0; i < n; i++) px_fe_pow_p58(&out[i], &in[i]);
}

#endif
