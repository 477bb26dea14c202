/*
 * px_ed25519_point.h — points of edwards25519 (-x^2 + y^2 = 1 + d x^2 y^2), private.
 *
 * Algorithm: extended twisted Edwards coordinates (X:Y:Z:T), x = X/Z, y = Y/Z,
 * T = XY/Z (Hisil, Wong, Carter, Dawson, "Twisted Edwards curves revisited",
 * 2008), with the unified addition add-2008-hwcd-3 and doubling dbl-2008-hwcd
 * for a = -1. An addition produces a "completed" point (E, F, G, H) whose
 * conversion to extended coordinates costs 4 multiplications, or 3 when only
 * (X:Y:Z) is needed for the next doubling (the ref10 split into p1p1/p2/p3).
 * Addends are kept "cached": (Y+X, Y-X, 2Z, 2dT), or, for the fixed base-point
 * table with Z = 1, "affine cached": (y+x, y-x, 2dxy).
 *
 * Invariants: every coordinate stored in px_ge/px_ge_cached is a multiplication
 * output or a sum of two (limbs < 2^52 + 2^14), so the bounds of
 * px_ed25519_field.h hold for every formula below.
 */
#ifndef PX_ED25519_POINT_H
#define PX_ED25519_POINT_H

#include "px_ed25519_field.h"

typedef struct px_ge { px_fe X, Y, Z, T; } px_ge;                 /* extended */
typedef struct px_ge_completed { px_fe E, F, G, H; } px_ge_completed; /* X=EF, Y=GH, Z=FG, T=EH */
typedef struct px_ge_cached { px_fe YplusX, YminusX, Z2, T2d; } px_ge_cached;
typedef struct px_ge_affine_cached { px_fe yplusx, yminusx, xy2d; } px_ge_affine_cached;

/* Curve constants, computed once by px_ed25519_constants_init (px_ed25519_group.c). */
typedef struct px_ed25519_constants {
    px_fe d, d2, sqrt_m1;
    px_ge base;
    /* y-coordinates of the small-order points, canonical, sign bit clear. */
    uint8_t small_order_y[5][32];
    /* A point of order 8 (its multiples are the eight small-order points). */
    px_ge torsion8;
    /* Odd multiples B, 3B, ..., 127B for width-8 NAF. */
    px_ge_affine_cached base_odd[64];
} px_ed25519_constants;

const px_ed25519_constants *px_ed25519_constants_get(void);

static inline void px_ge_identity(px_ge *p) {
    px_fe_zero(&p->X); px_fe_one(&p->Y); px_fe_one(&p->Z); px_fe_zero(&p->T);
}

static inline void px_ge_from_completed(px_ge *r, const px_ge_completed *c) {
    px_fe_mul(&r->X, &c->E, &c->F);
    px_fe_mul(&r->Y, &c->G, &c->H);
    px_fe_mul(&r->Z, &c->F, &c->G);
    px_fe_mul(&r->T, &c->E, &c->H);
}

/* Only X, Y, Z: enough when the next operation is a doubling. */
static inline void px_ge_from_completed_xyz(px_ge *r, const px_ge_completed *c) {
    px_fe_mul(&r->X, &c->E, &c->F);
    px_fe_mul(&r->Y, &c->G, &c->H);
    px_fe_mul(&r->Z, &c->F, &c->G);
}

/* 2P from X, Y, Z (T unused). */
static inline void px_ge_double(px_ge_completed *r, const px_ge *p) {
    px_fe a, b, zz, s, ss, hn, c2;
    px_fe_sq(&a, &p->X);
    px_fe_sq(&b, &p->Y);
    px_fe_sq(&zz, &p->Z);
    px_fe_add(&s, &p->X, &p->Y);
    px_fe_sq(&ss, &s);
    px_fe_add(&hn, &a, &b);            /* -H = A + B */
    px_fe_sub_wide(&r->E, &ss, &hn);   /* E = (X+Y)^2 - A - B */
    px_fe_sub(&r->G, &b, &a);          /* G = B - A */
    px_fe_add(&c2, &zz, &zz);          /* C = 2 Z^2 */
    px_fe_sub_wide(&r->F, &c2, &r->G); /* -F = C - G */
    r->H = hn;
    /* Stored as (E, -F, G, -H): every coordinate of the result is negated
     * (-EF, -GH, -FG, -EH), which is the same projective point. */
}

/* d2 = 2d, passed in so that start-up code can use this before the constants exist. */
static inline void px_ge_to_cached(px_ge_cached *r, const px_ge *p, const px_fe *d2) {
    px_fe_add(&r->YplusX, &p->Y, &p->X);
    px_fe_sub(&r->YminusX, &p->Y, &p->X);
    px_fe_add(&r->Z2, &p->Z, &p->Z);
    px_fe_mul(&r->T2d, &p->T, d2);
}

/* P + Q with Q cached. */
static inline void px_ge_add_cached(px_ge_completed *r, const px_ge *p, const px_ge_cached *q) {
    px_fe a, b, c, d, ypx, ymx;
    px_fe_add(&ypx, &p->Y, &p->X);
    px_fe_sub(&ymx, &p->Y, &p->X);
    px_fe_mul(&a, &ymx, &q->YminusX);
    px_fe_mul(&b, &ypx, &q->YplusX);
    px_fe_mul(&c, &p->T, &q->T2d);
    px_fe_mul(&d, &p->Z, &q->Z2);
    px_fe_sub(&r->E, &b, &a);
    px_fe_sub(&r->F, &d, &c);
    px_fe_add(&r->G, &d, &c);
    px_fe_add(&r->H, &b, &a);
}

/* P - Q with Q cached: -Q swaps Y+X with Y-X and negates T. */
static inline void px_ge_sub_cached(px_ge_completed *r, const px_ge *p, const px_ge_cached *q) {
    px_fe a, b, c, d, ypx, ymx;
    px_fe_add(&ypx, &p->Y, &p->X);
    px_fe_sub(&ymx, &p->Y, &p->X);
    px_fe_mul(&a, &ymx, &q->YplusX);
    px_fe_mul(&b, &ypx, &q->YminusX);
    px_fe_mul(&c, &p->T, &q->T2d);
    px_fe_mul(&d, &p->Z, &q->Z2);
    px_fe_sub(&r->E, &b, &a);
    px_fe_add(&r->F, &d, &c);
    px_fe_sub(&r->G, &d, &c);
    px_fe_add(&r->H, &b, &a);
}

static inline void px_ge_add_affine(px_ge_completed *r, const px_ge *p, const px_ge_affine_cached *q) {
    px_fe a, b, c, d, ypx, ymx;
    px_fe_add(&ypx, &p->Y, &p->X);
    px_fe_sub(&ymx, &p->Y, &p->X);
    px_fe_mul(&a, &ymx, &q->yminusx);
    px_fe_mul(&b, &ypx, &q->yplusx);
    px_fe_mul(&c, &p->T, &q->xy2d);
    px_fe_add(&d, &p->Z, &p->Z);
    px_fe_sub(&r->E, &b, &a);
    px_fe_sub(&r->F, &d, &c);
    px_fe_add(&r->G, &d, &c);
    px_fe_add(&r->H, &b, &a);
}

static inline void px_ge_sub_affine(px_ge_completed *r, const px_ge *p, const px_ge_affine_cached *q) {
    px_fe a, b, c, d, ypx, ymx;
    px_fe_add(&ypx, &p->Y, &p->X);
    px_fe_sub(&ymx, &p->Y, &p->X);
    px_fe_mul(&a, &ymx, &q->yplusx);
    px_fe_mul(&b, &ypx, &q->yminusx);
    px_fe_mul(&c, &p->T, &q->xy2d);
    px_fe_add(&d, &p->Z, &p->Z);
    px_fe_sub(&r->E, &b, &a);
    px_fe_add(&r->F, &d, &c);
    px_fe_sub(&r->G, &d, &c);
    px_fe_add(&r->H, &b, &a);
}

/* P is the identity iff X = 0 and Y = Z. */
static inline int px_ge_is_identity(const px_ge *p) {
    return px_fe_is_zero(&p->X) && px_fe_equal(&p->Y, &p->Z);
}

#endif /* PX_ED25519_POINT_H */
