/*
 * The batch verifier's AVX2 path: the decoding exponentiations eight at a time,
 * the point tables four points at a time, and the multi-scalar multiplication
 * as four lane-parallel partial sums (see px_ed25519_batch.h). Chosen where
 * px_cpu_features() has AVX2 but not AVX-512 IFMA.
 *
 * Algorithm: field elements in radix 2^25.5, one element per 64-bit lane of
 * an AVX2 vector (px_ed25519_field25.h). The points are extended twisted
 * Edwards coordinates with the formulas of Hisil, Wong, Carter and Dawson
 * (add-2008-hwcd-3, dbl-2008-hwcd), four independent points per operation:
 * the same structure as the IFMA path (px_ed25519_msm_ifma.c), with four lanes
 * instead of eight. The multiplication is the interleaved Straus walk of
 * check_group in px_ed25519_verify.c (width-5 NAF tables for -R and -A, the
 * width-8 table for B); the accumulator is four points, doubled together, and
 * at each bit the nonzero digits of all points are dealt round-robin to the
 * lanes (lanes left over add the identity). Every lane is doubled at every
 * bit, so the four lanes add up to the whole multi-scalar product whichever
 * lane got which digit. The lanes are summed with scalar code, multiplied by
 * 8 and compared with the identity.
 *
 * Invariants: the bounds of px_ed25519_field25.h. Stored addends
 * (px_v25_cached) are reduced, so an addend is always a valid multiplication
 * operand; the sums and differences of the formulas below stay under 2^27.6
 * per limb, except where a comment says a carry brings them back.
 */
#include "px_ed25519_batch.h"
#include "px_ed25519_group.h"
#include "px_cpu.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__)
#include "px_ed25519_field25.h"

#define LANES PX_V25_LANES

typedef struct vge25 { vfe25 X, Y, Z, T; } vge25;
typedef struct vge25_completed { vfe25 E, F, G, H; } vge25_completed;
typedef struct vge25_cached { vfe25 ypx, ymx, z2, t2d; } vge25_cached;

/* ---- conversions between lanes and scalar elements ---- */

PX_AVX2 static inline void vfe25_load(vfe25 *r, const uint64_t staging[10][LANES]) {
    for (int k = 0; k < 10; k++) r->l[k] = _mm256_load_si256((const __m256i *)staging[k]);
}

PX_AVX2 static inline void vfe25_store(uint64_t staging[10][LANES], const vfe25 *r) {
    for (int k = 0; k < 10; k++) _mm256_store_si256((__m256i *)staging[k], r->l[k]);
}

PX_AVX2 static inline void vfe25_broadcast(vfe25 *r, const uint64_t limbs[10]) {
    for (int k = 0; k < 10; k++) r->l[k] = _mm256_set1_epi64x((long long)limbs[k]);
}

/* ---- the decoding exponentiation, 2 x 4 lanes ---- */

#define WAYS 2

typedef struct vfe25x2 { vfe25 w[WAYS]; } vfe25x2;

/* The first `ways` vectors of r, a and b; ways is 1 or WAYS. */
PX_AVX2 static void x2_mul(vfe25x2 *r, const vfe25x2 *a, const vfe25x2 *b, int ways) {
    for (int w = 0; w < ways; w++) vfe25_mul(&r->w[w], &a->w[w], &b->w[w]);
}

PX_AVX2 static void x2_sq_times(vfe25x2 *r, const vfe25x2 *a, int n, int ways) {
    vfe25x2 t = *a;
    for (int i = 0; i < n; i++) {
        for (int w = 0; w < ways; w++) vfe25_sq(&t.w[w], &t.w[w]);
    }
    *r = t;
}

/* The addition chain of px_fe_pow_p58, lane-sliced. */
PX_AVX2 static void x2_pow_p58(vfe25x2 *out, const vfe25x2 *z, int ways) {
    vfe25x2 t0, t1, z2, z9, z11, z2_5_0, z2_10_0, z2_20_0, z2_50_0, z2_100_0;
    x2_sq_times(&z2, z, 1, ways);
    x2_sq_times(&t0, &z2, 2, ways);
    x2_mul(&z9, &t0, z, ways);
    x2_mul(&z11, &z9, &z2, ways);
    x2_sq_times(&t0, &z11, 1, ways);
    x2_mul(&z2_5_0, &t0, &z9, ways);
    x2_sq_times(&t0, &z2_5_0, 5, ways);
    x2_mul(&z2_10_0, &t0, &z2_5_0, ways);
    x2_sq_times(&t0, &z2_10_0, 10, ways);
    x2_mul(&z2_20_0, &t0, &z2_10_0, ways);
    x2_sq_times(&t0, &z2_20_0, 20, ways);
    x2_mul(&t1, &t0, &z2_20_0, ways);
    x2_sq_times(&t0, &t1, 10, ways);
    x2_mul(&z2_50_0, &t0, &z2_10_0, ways);
    x2_sq_times(&t0, &z2_50_0, 50, ways);
    x2_mul(&z2_100_0, &t0, &z2_50_0, ways);
    x2_sq_times(&t0, &z2_100_0, 100, ways);
    x2_mul(&t1, &t0, &z2_100_0, ways);
    x2_sq_times(&t0, &t1, 50, ways);
    x2_mul(&t1, &t0, &z2_50_0, ways);
    x2_sq_times(&t0, &t1, 2, ways);
    x2_mul(out, &t0, z, ways);
}

/* Up to WAYS * LANES elements; one vector when they fit in LANES. */
PX_AVX2 static void pow_group_avx2(px_fe *out, const px_fe *in, size_t n) {
    uint64_t staging[WAYS][10][LANES] __attribute__((aligned(32)));
    memset(staging, 0, sizeof staging);
    for (size_t i = 0; i < n; i++) {
        uint64_t l[10];
        px_fe_to_radix25(l, &in[i]);
        for (int k = 0; k < 10; k++) staging[i / LANES][k][i % LANES] = l[k];
    }
    const int ways = n <= LANES ? 1 : WAYS;
    vfe25x2 z, r;
    for (int w = 0; w < WAYS; w++) vfe25_load(&z.w[w], staging[w]);
    x2_pow_p58(&r, &z, ways);
    for (int w = 0; w < ways; w++) vfe25_store(staging[w], &r.w[w]);
    for (size_t i = 0; i < n; i++) {
        uint64_t l[10];
        for (int k = 0; k < 10; k++) l[k] = staging[i / LANES][k][i % LANES];
        px_fe_from_radix25(&out[i], l);
    }
}

size_t px_fe_pow_p58_many_avx2(px_fe *out, const px_fe *in, size_t n) {
    size_t i = 0;
    /* A group of eight costs about as much as three scalar exponentiations,
     * one vector of four (for two or more) a little less than two. */
    while (n - i >= 2) {
        size_t group = n - i < WAYS * LANES ? n - i : WAYS * LANES;
        pow_group_avx2(out + i, in + i, group);
        i += group;
    }
    return i;
}

/* ---- points, four per vector ---- */

PX_AVX2 static inline void vge25_from_completed(vge25 *r, const vge25_completed *c) {
    vfe25_mul(&r->X, &c->E, &c->F);
    vfe25_mul(&r->Y, &c->G, &c->H);
    vfe25_mul(&r->Z, &c->F, &c->G);
    vfe25_mul(&r->T, &c->E, &c->H);
}

PX_AVX2 static inline void vge25_from_completed_xyz(vge25 *r, const vge25_completed *c) {
    vfe25_mul(&r->X, &c->E, &c->F);
    vfe25_mul(&r->Y, &c->G, &c->H);
    vfe25_mul(&r->Z, &c->F, &c->G);
}

/* As px_ge_double: the result's four coordinates are all negated, the same
 * point. -H = A + B and -F = 2Z^2 - G are carried so that E = (X+Y)^2 + H and
 * -F stay valid multiplication operands. */
PX_AVX2 static inline void vge25_double(vge25_completed *r, const vge25 *p) {
    vfe25 a, b, zz, s, ss, c2;
    vfe25_sq(&a, &p->X);
    vfe25_sq(&b, &p->Y);
    vfe25_sq(&zz, &p->Z);
    vfe25_add(&s, &p->X, &p->Y);
    vfe25_sq(&ss, &s);
    vfe25_add(&r->H, &a, &b);         /* -H */
    vfe25_carry(&r->H);
    vfe25_sub(&r->E, &ss, &r->H);     /* E */
    vfe25_sub(&r->G, &b, &a);         /* G, < 2^27.6 */
    vfe25_add(&c2, &zz, &zz);         /* < 2^27 + 2^14 */
    vfe25_sub4(&r->F, &c2, &r->G);    /* -F */
    vfe25_carry(&r->F);
}

PX_AVX2 static inline void vge25_add(vge25_completed *r, const vge25 *p, const vge25_cached *q) {
    vfe25 a, b, c, d, ypx, ymx;
    vfe25_add(&ypx, &p->Y, &p->X);
    vfe25_sub(&ymx, &p->Y, &p->X);
    vfe25_mul(&a, &ymx, &q->ymx);
    vfe25_mul(&b, &ypx, &q->ypx);
    vfe25_mul(&c, &p->T, &q->t2d);
    vfe25_mul(&d, &p->Z, &q->z2);
    vfe25_sub(&r->E, &b, &a);
    vfe25_sub(&r->F, &d, &c);
    vfe25_add(&r->G, &d, &c);
    vfe25_add(&r->H, &b, &a);
}

/* Cached form, every coordinate reduced (a stored addend). */
PX_AVX2 static inline void vge25_to_cached(vge25_cached *r, const vge25 *p, const vfe25 *d2) {
    vfe25_add(&r->ypx, &p->Y, &p->X);
    vfe25_carry(&r->ypx);
    vfe25_sub(&r->ymx, &p->Y, &p->X);
    vfe25_carry(&r->ymx);
    vfe25_add(&r->z2, &p->Z, &p->Z);
    vfe25_carry(&r->z2);
    vfe25_mul(&r->t2d, &p->T, d2);
}

/* ---- constants in radix 2^25.5 ---- */

static px_v25_cached identity_cached;
static px_v25_cached base_odd25[64];
static pthread_once_t base_once = PTHREAD_ONCE_INIT;

static void fe_to_u32(uint32_t out[10], const px_fe *f) {
    uint64_t l[10];
    px_fe_to_radix25(l, f);
    for (int k = 0; k < 10; k++) out[k] = (uint32_t)l[k];
}

static void init_base_tables(void) {
    const px_ed25519_constants *k = px_ed25519_constants_get();
    px_fe one, two, zero, neg;
    px_fe_one(&one);
    px_fe_zero(&zero);
    px_fe_add(&two, &one, &one);
    fe_to_u32(identity_cached.ypx, &one);
    fe_to_u32(identity_cached.ymx, &one);
    fe_to_u32(identity_cached.z2, &two);
    fe_to_u32(identity_cached.t2d, &zero);
    fe_to_u32(identity_cached.nt2d, &zero);
    for (int i = 0; i < 64; i++) {
        const px_ge_affine_cached *a = &k->base_odd[i];
        fe_to_u32(base_odd25[i].ypx, &a->yplusx);
        fe_to_u32(base_odd25[i].ymx, &a->yminusx);
        fe_to_u32(base_odd25[i].z2, &two);
        fe_to_u32(base_odd25[i].t2d, &a->xy2d);
        px_fe_neg(&neg, &a->xy2d);
        fe_to_u32(base_odd25[i].nt2d, &neg);
    }
}

/* ---- tables of odd multiples, four points at a time ---- */

/* Writes the first `lanes` lanes of q (and -2dT) to out[lane]. */
PX_AVX2 static void store_cached_lanes(px_v25_cached *const out[LANES], size_t lanes,
                                       const vge25_cached *q, const vfe25 *nt2d) {
    uint64_t staging[5][10][LANES] __attribute__((aligned(32)));
    const vfe25 *coords[5] = { &q->ypx, &q->ymx, &q->z2, &q->t2d, nt2d };
    for (int c = 0; c < 5; c++) vfe25_store(staging[c], coords[c]);
    for (size_t lane = 0; lane < lanes; lane++) {
        px_v25_cached *e = out[lane];
        uint32_t *dst[5] = { e->ypx, e->ymx, e->z2, e->t2d, e->nt2d };
        for (int c = 0; c < 5; c++) {
            for (int k = 0; k < 10; k++) dst[c][k] = (uint32_t)staging[c][k][lane];
        }
    }
}

PX_AVX2 static void tables_group(px_v25_cached *tables, const px_ge *points, size_t lanes,
                                 const vfe25 *d2) {
    /* Lanes beyond `lanes` repeat the first point. */
    uint64_t staging[4][10][LANES] __attribute__((aligned(32)));
    for (size_t lane = 0; lane < LANES; lane++) {
        const px_ge *p = &points[lane < lanes ? lane : 0];
        const px_fe *src[4] = { &p->X, &p->Y, &p->Z, &p->T };
        for (int c = 0; c < 4; c++) {
            uint64_t l[10];
            px_fe_to_radix25(l, src[c]);
            for (int k = 0; k < 10; k++) staging[c][k][lane] = l[k];
        }
    }
    vge25 p;
    vfe25_load(&p.X, staging[0]);
    vfe25_load(&p.Y, staging[1]);
    vfe25_load(&p.Z, staging[2]);
    vfe25_load(&p.T, staging[3]);
    vge25_completed t;
    vge25 p2, cur = p;
    vge25_cached p2c, cached;
    vfe25 nt2d, zero;
    for (int k = 0; k < 10; k++) zero.l[k] = _mm256_setzero_si256();
    vge25_double(&t, &p);
    vge25_from_completed(&p2, &t);
    vge25_to_cached(&p2c, &p2, d2);
    px_v25_cached *out[LANES];
    for (int i = 0; i < PX_ED25519_TABLE_SIZE; i++) {
        if (i > 0) {
            vge25_add(&t, &cur, &p2c);
            vge25_from_completed(&cur, &t);
        }
        vge25_to_cached(&cached, &cur, d2);
        vfe25_sub(&nt2d, &zero, &cached.t2d);
        vfe25_carry(&nt2d);
        for (size_t lane = 0; lane < lanes; lane++) out[lane] = &tables[PX_ED25519_TABLE_SIZE * lane + i];
        store_cached_lanes(out, lanes, &cached, &nt2d);
    }
}

PX_AVX2 void px_ed25519_tables_avx2(px_v25_cached *tables, const px_ge *points, size_t count) {
    uint64_t d2_limbs[10];
    px_fe_to_radix25(d2_limbs, &px_ed25519_constants_get()->d2);
    vfe25 d2;
    vfe25_broadcast(&d2, d2_limbs);
    for (size_t i = 0; i < count; i += LANES) {
        size_t lanes = count - i < LANES ? count - i : LANES;
        tables_group(tables + PX_ED25519_TABLE_SIZE * i, points + i, lanes, &d2);
    }
}

/* ---- the multi-scalar multiplication ---- */

/* One coordinate of four addends: limb k of lane i is src[i][k]. Limbs 0..7
 * come as four 8 x 32-bit rows transposed with unpacks, limbs 8 and 9 as four
 * 2 x 32-bit rows; every limb is zero-extended to its 64-bit lane. */
PX_AVX2 static inline void gather_coordinate(vfe25 *r, const uint32_t *const src[LANES]) {
    __m256i a = _mm256_loadu_si256((const __m256i *)src[0]);
    __m256i b = _mm256_loadu_si256((const __m256i *)src[1]);
    __m256i c = _mm256_loadu_si256((const __m256i *)src[2]);
    __m256i d = _mm256_loadu_si256((const __m256i *)src[3]);
    __m256i ab_lo = _mm256_unpacklo_epi32(a, b), ab_hi = _mm256_unpackhi_epi32(a, b);
    __m256i cd_lo = _mm256_unpacklo_epi32(c, d), cd_hi = _mm256_unpackhi_epi32(c, d);
    __m256i l04 = _mm256_unpacklo_epi64(ab_lo, cd_lo), l15 = _mm256_unpackhi_epi64(ab_lo, cd_lo);
    __m256i l26 = _mm256_unpacklo_epi64(ab_hi, cd_hi), l37 = _mm256_unpackhi_epi64(ab_hi, cd_hi);
    r->l[0] = _mm256_cvtepu32_epi64(_mm256_castsi256_si128(l04));
    r->l[4] = _mm256_cvtepu32_epi64(_mm256_extracti128_si256(l04, 1));
    r->l[1] = _mm256_cvtepu32_epi64(_mm256_castsi256_si128(l15));
    r->l[5] = _mm256_cvtepu32_epi64(_mm256_extracti128_si256(l15, 1));
    r->l[2] = _mm256_cvtepu32_epi64(_mm256_castsi256_si128(l26));
    r->l[6] = _mm256_cvtepu32_epi64(_mm256_extracti128_si256(l26, 1));
    r->l[3] = _mm256_cvtepu32_epi64(_mm256_castsi256_si128(l37));
    r->l[7] = _mm256_cvtepu32_epi64(_mm256_extracti128_si256(l37, 1));
    __m128i ta = _mm_loadl_epi64((const __m128i *)(src[0] + 8));
    __m128i tb = _mm_loadl_epi64((const __m128i *)(src[1] + 8));
    __m128i tc = _mm_loadl_epi64((const __m128i *)(src[2] + 8));
    __m128i td = _mm_loadl_epi64((const __m128i *)(src[3] + 8));
    __m128i tab = _mm_unpacklo_epi32(ta, tb), tcd = _mm_unpacklo_epi32(tc, td);
    r->l[8] = _mm256_cvtepu32_epi64(_mm_unpacklo_epi64(tab, tcd));
    r->l[9] = _mm256_cvtepu32_epi64(_mm_unpackhi_epi64(tab, tcd));
}

/* One addend per lane: `addends[lane]`, negated where `negative[lane]`
 * (-P swaps Y+X with Y-X and takes -2dT). */
PX_AVX2 static void load_addends(vge25_cached *q, const px_v25_cached *const addends[LANES],
                                 const int negative[LANES]) {
    const uint32_t *ypx[LANES], *ymx[LANES], *z2[LANES], *t2d[LANES];
    for (int lane = 0; lane < LANES; lane++) {
        const px_v25_cached *e = addends[lane];
        ypx[lane] = negative[lane] ? e->ymx : e->ypx;
        ymx[lane] = negative[lane] ? e->ypx : e->ymx;
        z2[lane] = e->z2;
        t2d[lane] = negative[lane] ? e->nt2d : e->t2d;
    }
    gather_coordinate(&q->ypx, ypx);
    gather_coordinate(&q->ymx, ymx);
    gather_coordinate(&q->z2, z2);
    gather_coordinate(&q->t2d, t2d);
}

/* Deals addends to lanes; every LANES of them become one vector addition. */
typedef struct dealer {
    const px_v25_cached *addends[LANES];
    int negative[LANES];
    int filled;
} dealer;

PX_AVX2 static void deal_flush(dealer *dl, vge25 *acc, vge25_completed *t) {
    if (dl->filled == 0) return;
    for (int lane = dl->filled; lane < LANES; lane++) {
        dl->addends[lane] = &identity_cached;
        dl->negative[lane] = 0;
    }
    vge25_cached q;
    load_addends(&q, dl->addends, dl->negative);
    vge25_from_completed(acc, t);
    vge25_add(t, acc, &q);
    dl->filled = 0;
}

PX_AVX2 static inline void deal(dealer *dl, vge25 *acc, vge25_completed *t, const px_v25_cached *table,
                                int digit) {
    dl->addends[dl->filled] = &table[(digit > 0 ? digit : -digit) >> 1];
    dl->negative[dl->filled] = digit < 0;
    if (++dl->filled == LANES) deal_flush(dl, acc, t);
}

PX_AVX2 int px_ed25519_check_group_avx2(const px_ed25519_entry *entries, const px_v25_cached *tables,
                                        size_t lo, size_t hi) {
    pthread_once(&base_once, init_base_tables);
    int8_t naf_base[256];
    int top = px_ed25519_group_base(entries, lo, hi, naf_base);

    vge25 acc;
    uint64_t zero_limbs[10] = { 0 }, one_limbs[10] = { 1 };
    vfe25_broadcast(&acc.X, zero_limbs);
    vfe25_broadcast(&acc.Y, one_limbs);
    vfe25_broadcast(&acc.Z, one_limbs);
    vfe25_broadcast(&acc.T, zero_limbs);
    vge25_completed t;
    dealer dl = { .filled = 0 };
    for (int i = top - 1; i >= 0; i--) {
        vge25_double(&t, &acc);
        for (size_t j = lo; j < hi; j++) {
            const px_ed25519_entry *e = &entries[j];
            const px_v25_cached *tab = &tables[2 * PX_ED25519_TABLE_SIZE * j];
            if (e->naf_z[i]) deal(&dl, &acc, &t, tab, e->naf_z[i]);
            if (e->naf_zh[i]) deal(&dl, &acc, &t, tab + PX_ED25519_TABLE_SIZE, e->naf_zh[i]);
        }
        if (naf_base[i]) deal(&dl, &acc, &t, base_odd25, naf_base[i]);
        deal_flush(&dl, &acc, &t);
        vge25_from_completed_xyz(&acc, &t);
    }
    for (int i = 0; i < 3; i++) {
        vge25_double(&t, &acc);
        if (i < 2) vge25_from_completed_xyz(&acc, &t);
        else vge25_from_completed(&acc, &t);
    }
    /* Add up the four lanes. */
    uint64_t staging[4][10][LANES] __attribute__((aligned(32)));
    vfe25_store(staging[0], &acc.X);
    vfe25_store(staging[1], &acc.Y);
    vfe25_store(staging[2], &acc.Z);
    vfe25_store(staging[3], &acc.T);
    px_ge sum;
    px_ge_identity(&sum);
    for (int lane = 0; lane < LANES; lane++) {
        px_ge p;
        px_fe *out[4] = { &p.X, &p.Y, &p.Z, &p.T };
        for (int c = 0; c < 4; c++) {
            uint64_t limbs[10];
            for (int k = 0; k < 10; k++) limbs[k] = staging[c][k][lane];
            px_fe_from_radix25(out[c], limbs);
        }
        px_ge_add_points(&sum, &sum, &p);
    }
    return px_fe_is_zero(&sum.X) && px_fe_equal(&sum.Y, &sum.Z);
}

/* ---- the bucket method ---- */

PX_AVX2 void px_ed25519_cached_points_avx2(px_v25_cached *out, const px_ge *points, size_t count) {
    const px_fe *d2 = &px_ed25519_constants_get()->d2;
    for (size_t i = 0; i < count; i++) {
        const px_ge *p = &points[i];
        px_fe ypx, ymx, z2, t2d, nt2d;
        px_fe_add(&ypx, &p->Y, &p->X);
        px_fe_sub(&ymx, &p->Y, &p->X);
        px_fe_add(&z2, &p->Z, &p->Z);
        px_fe_mul(&t2d, &p->T, d2);
        px_fe_neg(&nt2d, &t2d);
        px_v25_cached *e = &out[i];
        fe_to_u32(e->ypx, &ypx);
        fe_to_u32(e->ymx, &ymx);
        fe_to_u32(e->z2, &z2);
        fe_to_u32(e->t2d, &t2d);
        fe_to_u32(e->nt2d, &nt2d);
    }
}

/* Bits [pos, pos + c) of s, zero above bit 255. */
static inline unsigned sc_bits(const px_sc *s, int pos, int c) {
    if (pos >= 256) return 0;
    int limb = pos >> 6, shift = pos & 63;
    uint64_t v = s->v[limb] >> shift;
    if (shift + c > 64 && limb < 3) v |= s->v[limb + 1] << (64 - shift);
    return (unsigned)(v & ((1u << c) - 1));
}

/* Signed c-bit windows of s < 2^255: digits in (-2^(c-1), 2^(c-1)], sum of
 * d[w] 2^(c w) = s over `windows` windows (enough that the last carry is 0).
 * Returns one more than the top nonzero window. */
static int sc_windows(int16_t *d, const px_sc *s, int c, int windows) {
    const int half = 1 << (c - 1);
    int carry = 0, top = 0;
    for (int w = 0; w < windows; w++) {
        int v = (int)sc_bits(s, c * w, c) + carry;
        carry = v > half;
        if (carry) v -= 1 << c;
        d[w] = (int16_t)v;
        if (v) top = w + 1;
    }
    return top;
}

/* One step of a lane's stream: add an addend (or its negative) to the
 * running sum, add the running sum to the total (a bucket boundary), or
 * nothing (padding). */
enum { op_plus, op_minus, op_boundary, op_pad };
typedef struct bucket_op { const px_v25_cached *addend; int kind; } bucket_op;

/* The stream of window w: buckets from the highest nonempty one down to 1,
 * each bucket's addends then a boundary. With running = the sum of every
 * addend seen so far, the boundary after bucket b adds sum over b' >= b of
 * bucket b', so the total ends as sum of b times bucket b: the window's sum
 * with one addition per bucket instead of the usual two. Returns its length. */
static size_t window_stream(bucket_op *ops, size_t *offsets, const int16_t *digits, size_t npoints,
                            int windows, int w, int half, const px_v25_cached *const *addends) {
    memset(offsets, 0, sizeof(size_t) * (size_t)(half + 1));
    int top = 0;
    for (size_t p = 0; p < npoints; p++) {
        int d = digits[p * (size_t)windows + (size_t)w];
        int b = d < 0 ? -d : d;
        if (b) {
            offsets[b]++;
            if (b > top) top = b;
        }
    }
    if (top == 0) return 0;
    /* offsets[b]: where bucket b starts; buckets are laid out from the top. */
    size_t at = 0;
    for (int b = top; b >= 1; b--) {
        size_t count = offsets[b];
        offsets[b] = at;
        at += count + 1;
    }
    for (size_t p = 0; p < npoints; p++) {
        int d = digits[p * (size_t)windows + (size_t)w];
        if (d == 0) continue;
        int b = d < 0 ? -d : d;
        ops[offsets[b]++] = (bucket_op){ addends[p], d < 0 ? op_minus : op_plus };
    }
    for (int b = top; b >= 1; b--) ops[offsets[b]] = (bucket_op){ NULL, op_boundary };
    return at;
}

PX_AVX2 static inline void vfe25_blend(vfe25 *r, const vfe25 *a, const vfe25 *b, __m256i mask) {
    for (int k = 0; k < 10; k++) r->l[k] = _mm256_blendv_epi8(a->l[k], b->l[k], mask);
}

PX_AVX2 static inline void vge25_blend(vge25 *r, const vge25 *a, const vge25 *b, __m256i mask) {
    vfe25_blend(&r->X, &a->X, &b->X, mask);
    vfe25_blend(&r->Y, &a->Y, &b->Y, mask);
    vfe25_blend(&r->Z, &a->Z, &b->Z, mask);
    vfe25_blend(&r->T, &a->T, &b->T, mask);
}

/* Runs four streams side by side, one per lane, and writes each lane's
 * total (its window's sum) to sums[k] for k < lanes. */
PX_AVX2 static void run_streams(px_ge *sums, size_t lanes, bucket_op *const streams[LANES],
                                const size_t lengths[LANES], const vfe25 *d2) {
    vge25 running, total;
    uint64_t zero_limbs[10] = { 0 }, one_limbs[10] = { 1 };
    vfe25_broadcast(&running.X, zero_limbs);
    vfe25_broadcast(&running.Y, one_limbs);
    vfe25_broadcast(&running.Z, one_limbs);
    vfe25_broadcast(&running.T, zero_limbs);
    total = running;
    size_t longest = 0;
    for (int k = 0; k < LANES; k++) {
        if (lengths[k] > longest) longest = lengths[k];
    }
    for (size_t t = 0; t < longest; t++) {
        const uint32_t *ypx[LANES], *ymx[LANES], *z2[LANES], *t2d[LANES];
        int64_t boundary[LANES];
        int any_boundary = 0;
        for (int k = 0; k < LANES; k++) {
            bucket_op op = t < lengths[k] ? streams[k][t] : (bucket_op){ NULL, op_pad };
            const px_v25_cached *e = op.kind <= op_minus ? op.addend : &identity_cached;
            int negative = op.kind == op_minus;
            ypx[k] = negative ? e->ymx : e->ypx;
            ymx[k] = negative ? e->ypx : e->ymx;
            z2[k] = e->z2;
            t2d[k] = negative ? e->nt2d : e->t2d;
            boundary[k] = op.kind == op_boundary ? -1 : 0;
            any_boundary |= op.kind == op_boundary;
        }
        vge25_cached q;
        gather_coordinate(&q.ypx, ypx);
        gather_coordinate(&q.ymx, ymx);
        gather_coordinate(&q.z2, z2);
        gather_coordinate(&q.t2d, t2d);
        vge25_completed c;
        vge25 sum;
        if (!any_boundary) {
            vge25_add(&c, &running, &q);
            vge25_from_completed(&running, &c);
            continue;
        }
        /* Boundary lanes add running (cached) to total instead. */
        const __m256i mask = _mm256_loadu_si256((const __m256i *)boundary);
        vge25_cached r;
        vge25_to_cached(&r, &running, d2);
        vfe25_blend(&q.ypx, &q.ypx, &r.ypx, mask);
        vfe25_blend(&q.ymx, &q.ymx, &r.ymx, mask);
        vfe25_blend(&q.z2, &q.z2, &r.z2, mask);
        vfe25_blend(&q.t2d, &q.t2d, &r.t2d, mask);
        vge25 acc;
        vge25_blend(&acc, &running, &total, mask);
        vge25_add(&c, &acc, &q);
        vge25_from_completed(&sum, &c);
        vge25_blend(&running, &sum, &running, mask);
        vge25_blend(&total, &total, &sum, mask);
    }
    uint64_t staging[4][10][LANES] __attribute__((aligned(32)));
    vfe25_store(staging[0], &total.X);
    vfe25_store(staging[1], &total.Y);
    vfe25_store(staging[2], &total.Z);
    vfe25_store(staging[3], &total.T);
    for (size_t k = 0; k < lanes; k++) {
        px_fe *out[4] = { &sums[k].X, &sums[k].Y, &sums[k].Z, &sums[k].T };
        for (int co = 0; co < 4; co++) {
            uint64_t limbs[10];
            for (int i = 0; i < 10; i++) limbs[i] = staging[co][i][k];
            px_fe_from_radix25(out[co], limbs);
        }
    }
}

PX_AVX2 int px_ed25519_check_group_buckets_avx2(const px_ed25519_entry *entries, const px_v25_cached *points,
                                                size_t lo, size_t hi, int c) {
    if (c < 4 || c > 10) return -1;
    pthread_once(&base_once, init_base_tables);
    const size_t n = hi - lo, npoints = 2 * n + 1;
    const int windows = 256 / c + 2, half = 1 << (c - 1);
    /* Scratch: digits, addend pointers, bucket offsets, four streams, window sums. */
    size_t digits_bytes = npoints * (size_t)windows * sizeof(int16_t);
    size_t addends_bytes = npoints * sizeof(px_v25_cached *);
    size_t offsets_bytes = (size_t)(half + 1) * sizeof(size_t);
    size_t stream_len = npoints + (size_t)half;
    size_t streams_bytes = LANES * stream_len * sizeof(bucket_op);
    size_t sums_bytes = (size_t)(windows + LANES) * sizeof(px_ge);
    unsigned char *block = malloc(sums_bytes + streams_bytes + addends_bytes + offsets_bytes + digits_bytes);
    if (block == NULL) return -1;
    px_ge *sums = (px_ge *)block;
    bucket_op *stream_space = (bucket_op *)(block + sums_bytes);
    const px_v25_cached **addends = (const px_v25_cached **)(block + sums_bytes + streams_bytes);
    size_t *offsets = (size_t *)(block + sums_bytes + streams_bytes + addends_bytes);
    int16_t *digits = (int16_t *)(block + sums_bytes + streams_bytes + addends_bytes + offsets_bytes);

    /* Points: -R_j (scalar z_j), -A_j (z_j h_j), then B (sum of z_j S_j). */
    px_sc base = { { 0, 0, 0, 0 } };
    int top = 0;
    for (size_t j = lo; j < hi; j++) {
        const px_ed25519_entry *e = &entries[j];
        size_t p = 2 * (j - lo);
        px_sc_add(&base, &base, &e->zs);
        addends[p] = &points[2 * j];
        addends[p + 1] = &points[2 * j + 1];
        int t0 = sc_windows(&digits[p * (size_t)windows], &e->z, c, windows);
        int t1 = sc_windows(&digits[(p + 1) * (size_t)windows], &e->zh, c, windows);
        if (t0 > top) top = t0;
        if (t1 > top) top = t1;
    }
    addends[2 * n] = &base_odd25[0];
    int tb = sc_windows(&digits[2 * n * (size_t)windows], &base, c, windows);
    if (tb > top) top = tb;

    uint64_t d2_limbs[10];
    px_fe_to_radix25(d2_limbs, &px_ed25519_constants_get()->d2);
    vfe25 d2;
    vfe25_broadcast(&d2, d2_limbs);
    for (int w0 = 0; w0 < top; w0 += LANES) {
        bucket_op *streams[LANES];
        size_t lengths[LANES];
        for (int k = 0; k < LANES; k++) {
            streams[k] = stream_space + (size_t)k * stream_len;
            lengths[k] = w0 + k < top ? window_stream(streams[k], offsets, digits, npoints, windows, w0 + k,
                                                      half, addends)
                                      : 0;
        }
        size_t lanes = (size_t)(top - w0) < LANES ? (size_t)(top - w0) : LANES;
        run_streams(&sums[w0], lanes, streams, lengths, &d2);
    }
    /* Horner over the windows, then [8]. */
    px_ge acc;
    px_ge_identity(&acc);
    for (int w = top - 1; w >= 0; w--) {
        if (w < top - 1) {
            for (int i = 0; i < c; i++) px_ge_double_point(&acc, &acc);
        }
        px_ge_add_points(&acc, &acc, &sums[w]);
    }
    free(block);
    for (int i = 0; i < 3; i++) px_ge_double_point(&acc, &acc);
    return px_fe_is_zero(&acc.X) && px_fe_equal(&acc.Y, &acc.Z);
}

#else

size_t px_fe_pow_p58_many_avx2(px_fe *out, const px_fe *in, size_t n) {
    (void)out; (void)in; (void)n;
    return 0; /* nothing done: the caller's scalar loop takes every element */
}

void px_ed25519_tables_avx2(px_v25_cached *tables, const px_ge *points, size_t count) {
    (void)tables; (void)points; (void)count;
    abort(); /* callers check px_cpu_features() for AVX2, which is x86-64 only */
}

int px_ed25519_check_group_avx2(const px_ed25519_entry *entries, const px_v25_cached *tables,
                                size_t lo, size_t hi) {
    (void)entries; (void)tables; (void)lo; (void)hi;
    abort();
}

int px_ed25519_check_group_buckets_avx2(const px_ed25519_entry *entries, const px_v25_cached *points,
                                        size_t lo, size_t hi, int c) {
    (void)entries; (void)points; (void)lo; (void)hi; (void)c;
    abort();
}

void px_ed25519_cached_points_avx2(px_v25_cached *out, const px_ge *points, size_t count) {
    (void)out; (void)points; (void)count;
    abort();
}

#endif
