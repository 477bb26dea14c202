/*
 * The single verifier's AVX2 path: one point per vector, its four extended
 * coordinates in the four lanes, so that each step of an addition or a
 * doubling multiplies four field elements at once.
 *
 * Algorithm: the parallel forms of the Hisil–Wong–Carter–Dawson formulas for
 * a = -1 (the arrangement curve25519-dalek's AVX2 back end describes; written
 * here independently on this shim's radix-2^25.5 lanes, px_ed25519_field25.h).
 * A point is (X, Y, Z, T). Addition of a cached point (Y2-X2, Y2+X2, 2 Z2,
 * 2d T2): (Y1-X1, Y1+X1, Z1, T1) times it lane by lane gives (A, B, D, C);
 * lane shuffles and one addition/subtraction give (E, H, G, F) = (B-A, B+A,
 * D+C, D-C); (E, G, F, E) times (F, H, G, H) is the sum: two 4-way products.
 * Doubling: (X, Y, Z, X+Y) squared gives (X^2, Y^2, Z^2, (X+Y)^2) = (A, B, Z2,
 * K); shuffles give H' = A+B, G = B-A, 2 Z2, then E = K-H' and F' = 2 Z2 - G;
 * (E, G, F', E) times (F', H', G, H') is the double with every coordinate
 * negated (as px_ge_double): one 4-way square and one 4-way product.
 * The multiplication is the single verifier's Straus walk (px_ed25519_verify.c:
 * width-5 NAF of h for -A, width-8 NAF of S over the fixed odd multiples of
 * B), then -R is added, the sum multiplied by 8 and compared with the identity.
 *
 * Invariants: the bounds of px_ed25519_field25.h. Products' outputs are
 * reduced; the sums and differences fed to products are < 2^27.6 per limb;
 * 4p differences are carried first; stored cached points are reduced.
 */
#include "px_ed25519_batch.h"
#include "px_ed25519_group.h"

#include <pthread.h>
#include <stdlib.h>

#if defined(__x86_64__)
#include "px_ed25519_field25.h"

/* Lane picks for _mm256_permute4x64_epi64: result lane i takes lane li. */
#define PICK(l0, l1, l2, l3) ((l0) | ((l1) << 2) | ((l2) << 4) | ((l3) << 6))
/* _mm256_blend_epi32 masks: 64-bit lane i is 32-bit elements 2i and 2i+1. */
#define LANE0 0x03
#define LANE1 0x0C
#define LANE2 0x30
#define LANE3 0xC0

#define VPERM(r, a, imm)                                                                   \
    do {                                                                                   \
        for (int k_ = 0; k_ < 10; k_++) (r)->l[k_] = _mm256_permute4x64_epi64((a)->l[k_], imm); \
    } while (0)
#define VBLEND(r, a, b, imm)                                                               \
    do {                                                                                   \
        for (int k_ = 0; k_ < 10; k_++) (r)->l[k_] = _mm256_blend_epi32((a)->l[k_], (b)->l[k_], imm); \
    } while (0)

/* A cached point and its negative: (Y-X, Y+X, 2Z, 2dT), (Y+X, Y-X, 2Z, -2dT). */
typedef struct vcached { vfe25 pos, neg; } vcached;

static vcached base_table[64];
static vfe25 cached_factors; /* (1, 1, 2, 2d) */
static pthread_once_t once = PTHREAD_ONCE_INIT;

PX_AVX2 static void to_lanes(vfe25 *r, const px_fe *l0, const px_fe *l1, const px_fe *l2, const px_fe *l3) {
    uint64_t staging[10][4] __attribute__((aligned(32)));
    const px_fe *src[4] = { l0, l1, l2, l3 };
    for (int lane = 0; lane < 4; lane++) {
        uint64_t limbs[10];
        px_fe_to_radix25(limbs, src[lane]);
        for (int k = 0; k < 10; k++) staging[k][lane] = limbs[k];
    }
    for (int k = 0; k < 10; k++) r->l[k] = _mm256_load_si256((const __m256i *)staging[k]);
}

PX_AVX2 static void from_lanes(px_fe *out[4], const vfe25 *v) {
    uint64_t staging[10][4] __attribute__((aligned(32)));
    for (int k = 0; k < 10; k++) _mm256_store_si256((__m256i *)staging[k], v->l[k]);
    for (int lane = 0; lane < 4; lane++) {
        uint64_t limbs[10];
        for (int k = 0; k < 10; k++) limbs[k] = staging[k][lane];
        px_fe_from_radix25(out[lane], limbs);
    }
}

PX_AVX2 static void init_tables(void) {
    const px_ed25519_constants *c = px_ed25519_constants_get();
    px_fe one, two;
    px_fe_one(&one);
    px_fe_add(&two, &one, &one);
    to_lanes(&cached_factors, &one, &one, &two, &c->d2);
    for (int i = 0; i < 64; i++) {
        const px_ge_affine_cached *a = &c->base_odd[i];
        px_fe neg;
        px_fe_neg(&neg, &a->xy2d);
        to_lanes(&base_table[i].pos, &a->yminusx, &a->yplusx, &two, &a->xy2d);
        to_lanes(&base_table[i].neg, &a->yplusx, &a->yminusx, &two, &neg);
    }
}

/* (Y-X, Y+X, Z, T) from (X, Y, Z, T); lanes 0 and 1 < 2^27.6. */
PX_AVX2 static inline void diff_sum(vfe25 *r, const vfe25 *p) {
    vfe25 sw, diff, sum;
    VPERM(&sw, p, PICK(1, 0, 2, 3));
    vfe25_sub(&diff, &sw, p);
    vfe25_add(&sum, &sw, p);
    VBLEND(r, p, &diff, LANE0);
    VBLEND(r, r, &sum, LANE1);
}

PX_AVX2 static void to_cached(vcached *c, const vfe25 *p) {
    vfe25 pp, sw, zero, negated;
    diff_sum(&pp, p);
    vfe25_mul(&c->pos, &pp, &cached_factors);
    VPERM(&sw, &c->pos, PICK(1, 0, 2, 3));
    for (int k = 0; k < 10; k++) zero.l[k] = _mm256_setzero_si256();
    vfe25_sub(&negated, &zero, &sw);
    VBLEND(&c->neg, &sw, &negated, LANE3);
    vfe25_carry(&c->neg);
}

/* r = p + q, q cached (pos or neg of a vcached). */
PX_AVX2 static void add(vfe25 *r, const vfe25 *p, const vfe25 *q) {
    vfe25 pp, m, msw, d, s, v, left, right;
    diff_sum(&pp, p);
    vfe25_mul(&m, &pp, q);                        /* (A, B, D, C) */
    VPERM(&msw, &m, PICK(1, 0, 3, 2));            /* (B, A, C, D) */
    vfe25_sub(&d, &msw, &m);                      /* lanes 0, 3: E = B-A, F = D-C */
    vfe25_add(&s, &m, &msw);                      /* lanes 1, 2: H = A+B, G = D+C */
    VBLEND(&v, &d, &s, LANE1 | LANE2);            /* (E, H, G, F) */
    VPERM(&left, &v, PICK(0, 2, 3, 0));           /* (E, G, F, E) */
    VPERM(&right, &v, PICK(3, 1, 2, 1));          /* (F, H, G, H) */
    vfe25_mul(r, &left, &right);                  /* (EF, GH, FG, EH) */
}

/* r = 2p, every coordinate negated (the same point). */
PX_AVX2 static void dbl(vfe25 *r, const vfe25 *p) {
    vfe25 t, t2, u, sq, ssw, sum, g, dz, v, vsw, w, wp, wq, vq, left, right;
    VPERM(&t, p, PICK(0, 1, 2, 0));
    VPERM(&t2, p, PICK(0, 1, 2, 1));
    vfe25_add(&u, &t, &t2);
    VBLEND(&u, &t, &u, LANE3);                    /* (X, Y, Z, X+Y) */
    vfe25_sq(&sq, &u);                            /* (A, B, Z2, K) */
    VPERM(&ssw, &sq, PICK(1, 0, 3, 2));           /* (B, A, K, Z2) */
    vfe25_add(&sum, &sq, &ssw);                   /* lane 0: H' = A+B */
    vfe25_sub(&g, &sq, &ssw);                     /* lane 1: G = B-A */
    vfe25_add(&dz, &sq, &sq);                     /* lane 2: 2 Z2 */
    VBLEND(&v, &sq, &sum, LANE0);
    VBLEND(&v, &v, &g, LANE1);
    VBLEND(&v, &v, &dz, LANE2);                   /* (H', G, 2 Z2, K) */
    VPERM(&vsw, &v, PICK(3, 2, 1, 0));            /* (K, 2 Z2, G, H') */
    vfe25_sub4(&w, &vsw, &v);                     /* lane 0: E = K-H', lane 1: F' = 2 Z2 - G */
    vfe25_carry(&w);
    VPERM(&wp, &w, PICK(0, 0, 1, 0));             /* (E, E, F', E) */
    VBLEND(&left, &wp, &v, LANE1);                /* (E, G, F', E) */
    VPERM(&wq, &w, PICK(1, 1, 1, 1));             /* F' */
    VPERM(&vq, &v, PICK(0, 0, 1, 0));             /* (H', H', G, H') */
    VBLEND(&right, &vq, &wq, LANE0);              /* (F', H', G, H') */
    vfe25_mul(r, &left, &right);                  /* (EF', GH', F'G, EH') */
}

PX_AVX2 static inline void add_digit(vfe25 *acc, const vcached *table, int digit) {
    if (digit > 0) add(acc, acc, &table[digit >> 1].pos);
    else add(acc, acc, &table[(-digit) >> 1].neg);
}

PX_AVX2 int px_ed25519_check_single_avx2(const px_ge *neg_a, const px_ge *neg_r, const int8_t naf_h[256],
                                         const int8_t naf_s[256], int top) {
    pthread_once(&once, init_tables);
    /* Odd multiples 1, 3, ..., 15 of -A. */
    vcached table[PX_ED25519_TABLE_SIZE], twice;
    vfe25 cur, p2;
    to_lanes(&cur, &neg_a->X, &neg_a->Y, &neg_a->Z, &neg_a->T);
    to_cached(&table[0], &cur);
    dbl(&p2, &cur);
    to_cached(&twice, &p2);
    for (int i = 1; i < PX_ED25519_TABLE_SIZE; i++) {
        add(&cur, &cur, &twice.pos);
        to_cached(&table[i], &cur);
    }
    vfe25 acc;
    px_fe zero, one;
    px_fe_zero(&zero);
    px_fe_one(&one);
    to_lanes(&acc, &zero, &one, &one, &zero);
    for (int i = top - 1; i >= 0; i--) {
        dbl(&acc, &acc);
        if (naf_h[i]) add_digit(&acc, table, naf_h[i]);
        if (naf_s[i]) add_digit(&acc, base_table, naf_s[i]);
    }
    vcached r;
    to_lanes(&cur, &neg_r->X, &neg_r->Y, &neg_r->Z, &neg_r->T);
    to_cached(&r, &cur);
    add(&acc, &acc, &r.pos);
    for (int i = 0; i < 3; i++) dbl(&acc, &acc);
    px_ge sum;
    px_fe *coords[4] = { &sum.X, &sum.Y, &sum.Z, &sum.T };
    from_lanes(coords, &acc);
    return px_fe_is_zero(&sum.X) && px_fe_equal(&sum.Y, &sum.Z);
}

#else

int px_ed25519_check_single_avx2(const px_ge *neg_a, const px_ge *neg_r, const int8_t naf_h[256],
                                 const int8_t naf_s[256], int top) {
    (void)neg_a; (void)neg_r; (void)naf_h; (void)naf_s; (void)top;
    abort(); /* callers check px_cpu_features() for AVX2, which is x86-64 only */
}

#endif
