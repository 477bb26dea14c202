/*
 * The batch equation's multi-scalar multiplication with AVX-512 IFMA: eight
 * partial sums, one per vector lane (see px_ed25519_batch.h).
 *
 * Algorithm: the same interleaved Straus walk as check_group in
 * px_ed25519_verify.c (width-5 NAF tables for -R and -A, the width-8 table for
 * B), but the accumulator is eight points, one per lane, doubled together. At
 * each bit the nonzero digits of all points are dealt round-robin to the lanes,
 * eight additions per vector operation (lanes left over add the identity).
 * Since every lane is doubled at every bit, lane k ends as the sum of
 * [2^i] d P over the digits dealt to it, and the eight lanes add up to the
 * whole multi-scalar product, whichever lane got which digit. The lanes are
 * summed with scalar code, multiplied by 8 and compared with the identity.
 * Tables are built eight points at a time the same way.
 *
 * Invariants: every vfe is reduced (px_ed25519_field52.h); a lane's addend is
 * loaded from a px_v52_cached chosen by address, -P for a negative digit.
 */
#include "px_ed25519_batch.h"
#include "px_ed25519_group.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__)
#include "px_ed25519_field52.h"

#define LANES 8

typedef struct vge { vfe X, Y, Z, T; } vge;             /* extended, 8 points */
typedef struct vge_completed { vfe E, F, G, H; } vge_completed;
typedef struct vge_cached { vfe ypx, ymx, z2, t2d; } vge_cached;

/* The identity as an addend, and the odd multiples of B, in radix 2^52. */
static px_v52_cached identity_cached;
static px_v52_cached base_odd52[64];
static pthread_once_t base_once = PTHREAD_ONCE_INIT;

static void init_base_tables(void) {
    const px_ed25519_constants *k = px_ed25519_constants_get();
    px_fe one, two, zero, neg;
    px_fe_one(&one);
    px_fe_zero(&zero);
    px_fe_add(&two, &one, &one);
    px_fe_to_radix52(identity_cached.ypx, &one);
    px_fe_to_radix52(identity_cached.ymx, &one);
    px_fe_to_radix52(identity_cached.z2, &two);
    px_fe_to_radix52(identity_cached.t2d, &zero);
    px_fe_to_radix52(identity_cached.nt2d, &zero);
    for (int i = 0; i < 64; i++) {
        const px_ge_affine_cached *a = &k->base_odd[i];
        px_fe_to_radix52(base_odd52[i].ypx, &a->yplusx);
        px_fe_to_radix52(base_odd52[i].ymx, &a->yminusx);
        px_fe_to_radix52(base_odd52[i].z2, &two);
        px_fe_to_radix52(base_odd52[i].t2d, &a->xy2d);
        px_fe_neg(&neg, &a->xy2d);
        px_fe_to_radix52(base_odd52[i].nt2d, &neg);
    }
}

PX_IFMA static inline void vfe_broadcast(vfe *r, const uint64_t limbs[5]) {
    for (int k = 0; k < 5; k++) r->l[k] = _mm512_set1_epi64((long long)limbs[k]);
}

PX_IFMA static inline void vge_from_completed(vge *r, const vge_completed *c) {
    vfe_mul(&r->X, &c->E, &c->F);
    vfe_mul(&r->Y, &c->G, &c->H);
    vfe_mul(&r->Z, &c->F, &c->G);
    vfe_mul(&r->T, &c->E, &c->H);
}

PX_IFMA static inline void vge_from_completed_xyz(vge *r, const vge_completed *c) {
    vfe_mul(&r->X, &c->E, &c->F);
    vfe_mul(&r->Y, &c->G, &c->H);
    vfe_mul(&r->Z, &c->F, &c->G);
}

/* As px_ge_double: the result's four coordinates are all negated, the same point. */
PX_IFMA static inline void vge_double(vge_completed *r, const vge *p) {
    vfe a, b, zz, s, ss, c2;
    vfe_sq(&a, &p->X);
    vfe_sq(&b, &p->Y);
    vfe_sq(&zz, &p->Z);
    vfe_add(&s, &p->X, &p->Y);
    vfe_sq(&ss, &s);
    vfe_add(&r->H, &a, &b);       /* -H */
    vfe_sub(&r->E, &ss, &r->H);   /* E */
    vfe_sub(&r->G, &b, &a);       /* G */
    vfe_add(&c2, &zz, &zz);
    vfe_sub(&r->F, &c2, &r->G);   /* -F */
}

PX_IFMA static inline void vge_add(vge_completed *r, const vge *p, const vge_cached *q) {
    vfe a, b, c, d, ypx, ymx;
    vfe_add(&ypx, &p->Y, &p->X);
    vfe_sub(&ymx, &p->Y, &p->X);
    vfe_mul(&a, &ymx, &q->ymx);
    vfe_mul(&b, &ypx, &q->ypx);
    vfe_mul(&c, &p->T, &q->t2d);
    vfe_mul(&d, &p->Z, &q->z2);
    vfe_sub(&r->E, &b, &a);
    vfe_sub(&r->F, &d, &c);
    vfe_add(&r->G, &d, &c);
    vfe_add(&r->H, &b, &a);
}

PX_IFMA static inline void vge_to_cached(vge_cached *r, const vge *p, const vfe *d2) {
    vfe_add(&r->ypx, &p->Y, &p->X);
    vfe_sub(&r->ymx, &p->Y, &p->X);
    vfe_add(&r->z2, &p->Z, &p->Z);
    vfe_mul(&r->t2d, &p->T, d2);
}

/* One addend per lane: entry `addends[lane]`, negated where `negative[lane]`. */
PX_IFMA static void load_addends(vge_cached *q, const px_v52_cached *const addends[LANES],
                                 const int negative[LANES]) {
    uint64_t staging[4][5][LANES] __attribute__((aligned(64)));
    for (int lane = 0; lane < LANES; lane++) {
        const px_v52_cached *e = addends[lane];
        const uint64_t *ypx = negative[lane] ? e->ymx : e->ypx;
        const uint64_t *ymx = negative[lane] ? e->ypx : e->ymx;
        const uint64_t *t2d = negative[lane] ? e->nt2d : e->t2d;
        for (int k = 0; k < 5; k++) {
            staging[0][k][lane] = ypx[k];
            staging[1][k][lane] = ymx[k];
            staging[2][k][lane] = e->z2[k];
            staging[3][k][lane] = t2d[k];
        }
    }
    vfe *coords[4] = { &q->ypx, &q->ymx, &q->z2, &q->t2d };
    for (int c = 0; c < 4; c++) {
        for (int k = 0; k < 5; k++) coords[c]->l[k] = _mm512_load_si512(staging[c][k]);
    }
}

/* Writes the first `lanes` lanes of q (and -2dT, nt2d) to out[lane]. */
PX_IFMA static void store_cached_lanes(px_v52_cached *const out[LANES], size_t lanes,
                                       const vge_cached *q, const vfe *nt2d) {
    uint64_t staging[5][5][LANES] __attribute__((aligned(64)));
    const vfe *coords[5] = { &q->ypx, &q->ymx, &q->z2, &q->t2d, nt2d };
    for (int c = 0; c < 5; c++) {
        for (int k = 0; k < 5; k++) _mm512_store_si512(staging[c][k], coords[c]->l[k]);
    }
    for (size_t lane = 0; lane < lanes; lane++) {
        px_v52_cached *e = out[lane];
        for (int k = 0; k < 5; k++) {
            e->ypx[k] = staging[0][k][lane];
            e->ymx[k] = staging[1][k][lane];
            e->z2[k] = staging[2][k][lane];
            e->t2d[k] = staging[3][k][lane];
            e->nt2d[k] = staging[4][k][lane];
        }
    }
}

PX_IFMA static void tables_group(px_v52_cached *tables, const px_ge *points, size_t lanes,
                                 const vfe *d2) {
    /* Points to radix 2^52, lanes beyond `lanes` repeat the first point. */
    uint64_t staging[4][5][LANES] __attribute__((aligned(64)));
    for (size_t lane = 0; lane < LANES; lane++) {
        const px_ge *p = &points[lane < lanes ? lane : 0];
        uint64_t l[4][5];
        px_fe_to_radix52(l[0], &p->X);
        px_fe_to_radix52(l[1], &p->Y);
        px_fe_to_radix52(l[2], &p->Z);
        px_fe_to_radix52(l[3], &p->T);
        for (int c = 0; c < 4; c++) {
            for (int k = 0; k < 5; k++) staging[c][k][lane] = l[c][k];
        }
    }
    vge p;
    vfe *coords[4] = { &p.X, &p.Y, &p.Z, &p.T };
    for (int c = 0; c < 4; c++) {
        for (int k = 0; k < 5; k++) coords[c]->l[k] = _mm512_load_si512(staging[c][k]);
    }
    vge_completed t;
    vge p2, cur = p;
    vge_cached p2c, cached;
    vfe nt2d, zero;
    for (int k = 0; k < 5; k++) zero.l[k] = _mm512_setzero_si512();
    vge_double(&t, &p);
    vge_from_completed(&p2, &t);
    vge_to_cached(&p2c, &p2, d2);
    px_v52_cached *out[LANES];
    for (int i = 0; i < PX_ED25519_TABLE_SIZE; i++) {
        if (i > 0) {
            vge_add(&t, &cur, &p2c);
            vge_from_completed(&cur, &t);
        }
        vge_to_cached(&cached, &cur, d2);
        vfe_sub(&nt2d, &zero, &cached.t2d);
        for (size_t lane = 0; lane < lanes; lane++) out[lane] = &tables[PX_ED25519_TABLE_SIZE * lane + i];
        store_cached_lanes(out, lanes, &cached, &nt2d);
    }
}

PX_IFMA void px_ed25519_tables_ifma(px_v52_cached *tables, const px_ge *points, size_t count) {
    uint64_t d2_limbs[5];
    px_fe_to_radix52(d2_limbs, &px_ed25519_constants_get()->d2);
    vfe d2;
    vfe_broadcast(&d2, d2_limbs);
    for (size_t i = 0; i < count; i += LANES) {
        size_t lanes = count - i < LANES ? count - i : LANES;
        tables_group(tables + PX_ED25519_TABLE_SIZE * i, points + i, lanes, &d2);
    }
}

/* Deals addends to lanes; every LANES of them become one vector addition. */
typedef struct dealer {
    const px_v52_cached *addends[LANES];
    int negative[LANES];
    int filled;
} dealer;

PX_IFMA static void deal_flush(dealer *dl, vge *acc, vge_completed *t) {
    if (dl->filled == 0) return;
    for (int lane = dl->filled; lane < LANES; lane++) {
        dl->addends[lane] = &identity_cached;
        dl->negative[lane] = 0;
    }
    vge_cached q;
    load_addends(&q, dl->addends, dl->negative);
    vge_from_completed(acc, t);
    vge_add(t, acc, &q);
    dl->filled = 0;
}

PX_IFMA static inline void deal(dealer *dl, vge *acc, vge_completed *t, const px_v52_cached *table,
                                int digit) {
    dl->addends[dl->filled] = &table[(digit > 0 ? digit : -digit) >> 1];
    dl->negative[dl->filled] = digit < 0;
    if (++dl->filled == LANES) deal_flush(dl, acc, t);
}

PX_IFMA int px_ed25519_check_group_ifma(const px_ed25519_entry *entries, const px_v52_cached *tables,
                                        size_t lo, size_t hi) {
    pthread_once(&base_once, init_base_tables);
    int8_t naf_base[256];
    int top = px_ed25519_group_base(entries, lo, hi, naf_base);

    vge acc;
    uint64_t zero_limbs[5] = { 0 }, one_limbs[5] = { 1 };
    vfe_broadcast(&acc.X, zero_limbs);
    vfe_broadcast(&acc.Y, one_limbs);
    vfe_broadcast(&acc.Z, one_limbs);
    vfe_broadcast(&acc.T, zero_limbs);
    vge_completed t;
    dealer dl = { .filled = 0 };
    for (int i = top - 1; i >= 0; i--) {
        vge_double(&t, &acc);
        for (size_t j = lo; j < hi; j++) {
            const px_ed25519_entry *e = &entries[j];
            const px_v52_cached *tab = &tables[2 * PX_ED25519_TABLE_SIZE * j];
            if (e->naf_z[i]) deal(&dl, &acc, &t, tab, e->naf_z[i]);
            if (e->naf_zh[i]) deal(&dl, &acc, &t, tab + PX_ED25519_TABLE_SIZE, e->naf_zh[i]);
        }
        if (naf_base[i]) deal(&dl, &acc, &t, base_odd52, naf_base[i]);
        deal_flush(&dl, &acc, &t);
        vge_from_completed_xyz(&acc, &t);
    }
    for (int i = 0; i < 3; i++) {
        vge_double(&t, &acc);
        if (i < 2) vge_from_completed_xyz(&acc, &t);
        else vge_from_completed(&acc, &t);
    }
    /* Add up the eight lanes. */
    uint64_t staging[4][5][LANES] __attribute__((aligned(64)));
    const vfe *coords[4] = { &acc.X, &acc.Y, &acc.Z, &acc.T };
    for (int c = 0; c < 4; c++) {
        for (int k = 0; k < 5; k++) _mm512_store_si512(staging[c][k], coords[c]->l[k]);
    }
    px_ge sum;
    px_ge_identity(&sum);
    for (int lane = 0; lane < LANES; lane++) {
        px_ge p;
        px_fe *out[4] = { &p.X, &p.Y, &p.Z, &p.T };
        for (int c = 0; c < 4; c++) {
            uint64_t limbs[5];
            for (int k = 0; k < 5; k++) limbs[k] = staging[c][k][lane];
            px_fe_from_radix52(out[c], limbs);
        }
        px_ge_add_points(&sum, &sum, &p);
    }
    return px_fe_is_zero(&sum.X) && px_fe_equal(&sum.Y, &sum.Z);
}

#else

void px_ed25519_tables_ifma(px_v52_cached *tables, const px_ge *points, size_t count) {
    (void)tables; (void)points; (void)count;
    abort(); /* callers check px_cpu_features() for IFMA, which is x86-64 only */
}

int px_ed25519_check_group_ifma(const px_ed25519_entry *entries, const px_v52_cached *tables,
                                size_t lo, size_t hi) {
    (void)entries; (void)tables; (void)lo; (void)hi;
    abort();
}

#endif
