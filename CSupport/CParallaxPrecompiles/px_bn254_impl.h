/*
 * px_bn254_impl.h — the bn254 arithmetic, instantiated once per dispatch
 * level by px_bn254.c. Not a public header; include only from px_bn254.c.
 *
 * Template parameters (macros defined by the includer):
 *   N(name)       gives each static function a per-variant name;
 *   MONT_MUL      the Montgomery multiplication kernel, (uint64_t r[4],
 *                 const uint64_t a[4], const uint64_t b[4]).
 * Everything else (additions, towers, curves, the pairing) is written once
 * and compiled twice, so the multiplication kernel inlines into every caller
 * and each copy is compiled for its own target features.
 *
 * References:
 *  [BN05]  Barreto, Naehrig, "Pairing-Friendly Elliptic Curves of Prime Order", SAC 2005.
 *  [Ver10] Vercauteren, "Optimal pairings", IEEE Trans. IT 2010 (the optimal ate loop 6u+2).
 *  [DSD06] Devegili, Scott, Dahab, "Multiplication and Squaring on Pairing-Friendly Fields",
 *          ePrint 2006/471 (Karatsuba and complex squaring in the tower).
 *  [BGDM10] Beuchat, González-Díaz, Mitsunari et al., "High-Speed Software Implementation
 *          of the Optimal Ate Pairing over Barreto-Naehrig Curves", Pairing 2010.
 *  [ALNR11] Aranha, Karabina, Longa, Gebotys, López, "Faster Explicit Formulas for Computing
 *          Pairings over Ordinary Curves", Eurocrypt 2011 (projective line formulas, §4).
 *  [GS10]  Granger, Scott, "Faster Squaring in the Cyclotomic Subgroup of Sixth Degree
 *          Extensions", PKC 2010.
 *  [SBCDK09] Scott, Benger, Charlemagne, Dominguez Perez, Kachisa, "On the Final
 *          Exponentiation for Calculating Pairings on Ordinary Elliptic Curves", Pairing 2009.
 *  [HGP22] El Housni, Guillevic, Piellard, "Co-factor clearing and subgroup membership
 *          testing on pairing-friendly curves", Africacrypt 2022 (§3, §5.1; the G2 test of
 *          gnark-crypto's bn254 IsInSubGroup, which cites it as ePrint 2022/348).
 *  [GLV01] Gallant, Lambert, Vanstone, "Faster Point Multiplication on Elliptic Curves
 *          with Efficient Endomorphisms", CRYPTO 2001 (the G1 scalar split).
 *  [BY19]  Bernstein, Yang, "Fast constant-time gcd computation and modular inversion",
 *          TCHES 2019 (the divsteps behind fp_inv, in px_bn254.c).
 */

/* ------------------------------------------------------------------------ */
/* Fp: Montgomery form x*2^256 mod p, four 64-bit limbs, always fully reduced. */

static inline void N(fp_mul)(fp *r, const fp *a, const fp *b) { MONT_MUL(r->l, a->l, b->l); }
static inline void N(fp_sqr)(fp *r, const fp *a) { MONT_MUL(r->l, a->l, a->l); }

/* p < 2^254, so a + b < 2^255 never carries out of four limbs. */
static inline void N(fp_add)(fp *r, const fp *a, const fp *b) {
    uint64_t s[4], d[4], c = 0, br = 0;
    for (int i = 0; i < 4; i++) s[i] = px_adc(a->l[i], b->l[i], c, &c);
    for (int i = 0; i < 4; i++) d[i] = px_sbb(s[i], FP_P.l[i], br, &br);
    /* borrow set: s < p, keep s. */
    uint64_t mask = 0 - br;
    for (int i = 0; i < 4; i++) r->l[i] = (s[i] & mask) | (d[i] & ~mask);
}

static inline void N(fp_sub)(fp *r, const fp *a, const fp *b) {
    uint64_t d[4], br = 0, c = 0;
    for (int i = 0; i < 4; i++) d[i] = px_sbb(a->l[i], b->l[i], br, &br);
    uint64_t mask = 0 - br;
    for (int i = 0; i < 4; i++) r->l[i] = px_adc(d[i], FP_P.l[i] & mask, c, &c);
}

static inline void N(fp_dbl)(fp *r, const fp *a) { N(fp_add)(r, a, a); }

static inline int N(fp_is_zero)(const fp *a) { return (a->l[0] | a->l[1] | a->l[2] | a->l[3]) == 0; }

static inline int N(fp_eq)(const fp *a, const fp *b) {
    return ((a->l[0] ^ b->l[0]) | (a->l[1] ^ b->l[1]) | (a->l[2] ^ b->l[2]) | (a->l[3] ^ b->l[3])) == 0;
}

static inline void N(fp_neg)(fp *r, const fp *a) {
    static const fp zero = {{0, 0, 0, 0}};
    N(fp_sub)(r, &zero, a);
}

/* a/2: an odd a is replaced by a + p (even, < 2^255), then shifted. */
static inline void N(fp_half)(fp *r, const fp *a) {
    uint64_t mask = 0 - (a->l[0] & 1);
    uint64_t s[4], c = 0;
    for (int i = 0; i < 4; i++) s[i] = px_adc(a->l[i], FP_P.l[i] & mask, c, &c);
    r->l[0] = (s[0] >> 1) | (s[1] << 63);
    r->l[1] = (s[1] >> 1) | (s[2] << 63);
    r->l[2] = (s[2] >> 1) | (s[3] << 63);
    r->l[3] = s[3] >> 1;
}

/* a^e for a public exponent e (four limbs, plain integer): 4-bit fixed window. */
static void N(fp_pow)(fp *r, const fp *a, const uint64_t e[4]) {
    fp table[16];
    table[0] = FP_ONE;
    table[1] = *a;
    for (int i = 2; i < 16; i++) N(fp_mul)(&table[i], &table[i - 1], a);
    fp acc = FP_ONE;
    int started = 0;
    for (int i = 63; i >= 0; i--) {
        unsigned nib = (unsigned)(e[i / 16] >> ((i % 16) * 4)) & 15;
        if (started) {
            N(fp_sqr)(&acc, &acc);
            N(fp_sqr)(&acc, &acc);
            N(fp_sqr)(&acc, &acc);
            N(fp_sqr)(&acc, &acc);
        }
        if (nib) {
            if (started) N(fp_mul)(&acc, &acc, &table[nib]);
            else acc = table[nib];
            started = 1;
        }
    }
    *r = acc;
}

/* 1/a = a^(p-2) (Fermat); 1/0 gives 0. The reference for fp_inv in the self-test. */
static void N(fp_inv_fermat)(fp *r, const fp *a) {
    const uint64_t e[4] = {FP_P.l[0] - 2, FP_P.l[1], FP_P.l[2], FP_P.l[3]};
    N(fp_pow)(r, a, e);
}

/* 1/a by safegcd on the integer a R (see px_bn254_inv_int): it returns
 * a^-1 R^-1, and a Montgomery product with R^3 gives a^-1 R. 1/0 gives 0. */
static void N(fp_inv)(fp *r, const fp *a) {
    fp t;
    px_bn254_inv_int(t.l, a->l);
    N(fp_mul)(r, &t, &FP_R3);
}

/* Big-endian bytes -> Montgomery form; returns 0 when the value is >= p. */
static int N(fp_from_bytes)(fp *r, const uint8_t in[32]) {
    fp t;
    for (int i = 0; i < 4; i++) {
        uint64_t w = 0;
        for (int j = 0; j < 8; j++) w = (w << 8) | in[(3 - i) * 8 + j];
        t.l[i] = w;
    }
    uint64_t borrow = 0;
    for (int i = 0; i < 4; i++) (void)px_sbb(t.l[i], FP_P.l[i], borrow, &borrow);
    if (!borrow) return 0; /* t >= p */
    N(fp_mul)(r, &t, &FP_R2);
    return 1;
}

static void N(fp_to_bytes)(uint8_t out[32], const fp *a) {
    static const fp one_plain = {{1, 0, 0, 0}};
    fp t;
    N(fp_mul)(&t, a, &one_plain); /* leaves Montgomery form */
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 8; j++) out[(3 - i) * 8 + j] = (uint8_t)(t.l[i] >> (56 - 8 * j));
}

/* ------------------------------------------------------------------------ */
/* Fp2 = Fp[i]/(i^2 + 1). */

static inline void N(fp2_add)(fp2 *r, const fp2 *a, const fp2 *b) {
    N(fp_add)(&r->c0, &a->c0, &b->c0);
    N(fp_add)(&r->c1, &a->c1, &b->c1);
}
static inline void N(fp2_sub)(fp2 *r, const fp2 *a, const fp2 *b) {
    N(fp_sub)(&r->c0, &a->c0, &b->c0);
    N(fp_sub)(&r->c1, &a->c1, &b->c1);
}
static inline void N(fp2_dbl)(fp2 *r, const fp2 *a) {
    N(fp_dbl)(&r->c0, &a->c0);
    N(fp_dbl)(&r->c1, &a->c1);
}
static inline void N(fp2_neg)(fp2 *r, const fp2 *a) {
    N(fp_neg)(&r->c0, &a->c0);
    N(fp_neg)(&r->c1, &a->c1);
}
static inline void N(fp2_conj)(fp2 *r, const fp2 *a) {
    r->c0 = a->c0;
    N(fp_neg)(&r->c1, &a->c1);
}
static inline int N(fp2_is_zero)(const fp2 *a) { return N(fp_is_zero)(&a->c0) && N(fp_is_zero)(&a->c1); }
static inline int N(fp2_eq)(const fp2 *a, const fp2 *b) { return N(fp_eq)(&a->c0, &b->c0) && N(fp_eq)(&a->c1, &b->c1); }

/* Karatsuba: three Fp multiplications [DSD06 §3]. */
static inline void N(fp2_mul)(fp2 *r, const fp2 *a, const fp2 *b) {
    fp v0, v1, s, t;
    N(fp_mul)(&v0, &a->c0, &b->c0);
    N(fp_mul)(&v1, &a->c1, &b->c1);
    N(fp_add)(&s, &a->c0, &a->c1);
    N(fp_add)(&t, &b->c0, &b->c1);
    N(fp_mul)(&s, &s, &t);
    N(fp_sub)(&r->c0, &v0, &v1);
    N(fp_sub)(&s, &s, &v0);
    N(fp_sub)(&r->c1, &s, &v1);
}

/* Complex squaring: (a0 + a1)(a0 - a1) + 2 a0 a1 i. */
static inline void N(fp2_sqr)(fp2 *r, const fp2 *a) {
    fp s, d, m;
    N(fp_add)(&s, &a->c0, &a->c1);
    N(fp_sub)(&d, &a->c0, &a->c1);
    N(fp_mul)(&m, &a->c0, &a->c1);
    N(fp_mul)(&r->c0, &s, &d);
    N(fp_dbl)(&r->c1, &m);
}

static inline void N(fp2_mul_fp)(fp2 *r, const fp2 *a, const fp *b) {
    N(fp_mul)(&r->c0, &a->c0, b);
    N(fp_mul)(&r->c1, &a->c1, b);
}

/* a * xi with xi = 9 + i: (9 a0 - a1) + (a0 + 9 a1) i. */
static inline void N(fp2_mul_xi)(fp2 *r, const fp2 *a) {
    fp2 t;
    N(fp2_dbl)(&t, a);
    N(fp2_dbl)(&t, &t);
    N(fp2_dbl)(&t, &t);
    N(fp2_add)(&t, &t, a); /* 9a */
    fp c0, c1;
    N(fp_sub)(&c0, &t.c0, &a->c1);
    N(fp_add)(&c1, &t.c1, &a->c0);
    r->c0 = c0;
    r->c1 = c1;
}

/* 1/a = conj(a) / (a0^2 + a1^2). */
static void N(fp2_inv)(fp2 *r, const fp2 *a) {
    fp t0, t1;
    N(fp_sqr)(&t0, &a->c0);
    N(fp_sqr)(&t1, &a->c1);
    N(fp_add)(&t0, &t0, &t1);
    N(fp_inv)(&t1, &t0);
    N(fp_mul)(&r->c0, &a->c0, &t1);
    N(fp_mul)(&t0, &a->c1, &t1);
    N(fp_neg)(&r->c1, &t0);
}

/* ------------------------------------------------------------------------ */
/* Fp6 = Fp2[v]/(v^3 - xi). */

static inline void N(fp6_add)(fp6 *r, const fp6 *a, const fp6 *b) {
    N(fp2_add)(&r->c0, &a->c0, &b->c0);
    N(fp2_add)(&r->c1, &a->c1, &b->c1);
    N(fp2_add)(&r->c2, &a->c2, &b->c2);
}
static inline void N(fp6_sub)(fp6 *r, const fp6 *a, const fp6 *b) {
    N(fp2_sub)(&r->c0, &a->c0, &b->c0);
    N(fp2_sub)(&r->c1, &a->c1, &b->c1);
    N(fp2_sub)(&r->c2, &a->c2, &b->c2);
}
static inline void N(fp6_neg)(fp6 *r, const fp6 *a) {
    N(fp2_neg)(&r->c0, &a->c0);
    N(fp2_neg)(&r->c1, &a->c1);
    N(fp2_neg)(&r->c2, &a->c2);
}

/* Karatsuba over the cubic extension: six Fp2 multiplications [DSD06 §4]. */
static void N(fp6_mul)(fp6 *r, const fp6 *a, const fp6 *b) {
    fp2 v0, v1, v2, s, t, c0, c1, c2;
    N(fp2_mul)(&v0, &a->c0, &b->c0);
    N(fp2_mul)(&v1, &a->c1, &b->c1);
    N(fp2_mul)(&v2, &a->c2, &b->c2);
    /* c0 = v0 + xi((a1 + a2)(b1 + b2) - v1 - v2) */
    N(fp2_add)(&s, &a->c1, &a->c2);
    N(fp2_add)(&t, &b->c1, &b->c2);
    N(fp2_mul)(&s, &s, &t);
    N(fp2_sub)(&s, &s, &v1);
    N(fp2_sub)(&s, &s, &v2);
    N(fp2_mul_xi)(&s, &s);
    N(fp2_add)(&c0, &s, &v0);
    /* c1 = (a0 + a1)(b0 + b1) - v0 - v1 + xi v2 */
    N(fp2_add)(&s, &a->c0, &a->c1);
    N(fp2_add)(&t, &b->c0, &b->c1);
    N(fp2_mul)(&s, &s, &t);
    N(fp2_sub)(&s, &s, &v0);
    N(fp2_sub)(&s, &s, &v1);
    N(fp2_mul_xi)(&t, &v2);
    N(fp2_add)(&c1, &s, &t);
    /* c2 = (a0 + a2)(b0 + b2) - v0 - v2 + v1 */
    N(fp2_add)(&s, &a->c0, &a->c2);
    N(fp2_add)(&t, &b->c0, &b->c2);
    N(fp2_mul)(&s, &s, &t);
    N(fp2_sub)(&s, &s, &v0);
    N(fp2_sub)(&s, &s, &v2);
    N(fp2_add)(&c2, &s, &v1);
    r->c0 = c0;
    r->c1 = c1;
    r->c2 = c2;
}

/* Chung-Hasan SQR2 [DSD06 §4]: two multiplications and three squarings. */
static void N(fp6_sqr)(fp6 *r, const fp6 *a) {
    fp2 s0, s1, s2, s3, s4, t;
    N(fp2_sqr)(&s0, &a->c0);
    N(fp2_mul)(&s1, &a->c0, &a->c1);
    N(fp2_dbl)(&s1, &s1); /* 2 a0 a1 */
    N(fp2_sub)(&t, &a->c0, &a->c1);
    N(fp2_add)(&t, &t, &a->c2);
    N(fp2_sqr)(&s2, &t); /* (a0 - a1 + a2)^2 */
    N(fp2_mul)(&s3, &a->c1, &a->c2);
    N(fp2_dbl)(&s3, &s3); /* 2 a1 a2 */
    N(fp2_sqr)(&s4, &a->c2);
    /* c0 = s0 + xi s3; c1 = s1 + xi s4; c2 = s1 + s2 + s3 - s0 - s4 */
    N(fp2_mul_xi)(&t, &s3);
    N(fp2_add)(&r->c0, &s0, &t);
    N(fp2_mul_xi)(&t, &s4);
    fp2 c2;
    N(fp2_add)(&c2, &s1, &s2);
    N(fp2_add)(&c2, &c2, &s3);
    N(fp2_sub)(&c2, &c2, &s0);
    N(fp2_sub)(&c2, &c2, &s4);
    N(fp2_add)(&r->c1, &s1, &t);
    r->c2 = c2;
}

/* a * v = (xi a2, a0, a1). */
static inline void N(fp6_mul_v)(fp6 *r, const fp6 *a) {
    fp2 t;
    N(fp2_mul_xi)(&t, &a->c2);
    r->c2 = a->c1;
    r->c1 = a->c0;
    r->c0 = t;
}

/* a * (b0 + b1 v): five Fp2 multiplications. */
static inline void N(fp6_mul_01)(fp6 *r, const fp6 *a, const fp2 *b0, const fp2 *b1) {
    fp2 t0, t1, s, t, c0, c1, c2;
    N(fp2_mul)(&t0, &a->c0, b0);
    N(fp2_mul)(&t1, &a->c1, b1);
    /* c0 = t0 + xi a2 b1 */
    N(fp2_mul)(&s, &a->c2, b1);
    N(fp2_mul_xi)(&s, &s);
    N(fp2_add)(&c0, &s, &t0);
    /* c1 = (a0 + a1)(b0 + b1) - t0 - t1 */
    N(fp2_add)(&s, &a->c0, &a->c1);
    N(fp2_add)(&t, b0, b1);
    N(fp2_mul)(&s, &s, &t);
    N(fp2_sub)(&s, &s, &t0);
    N(fp2_sub)(&c1, &s, &t1);
    /* c2 = t1 + a2 b0 */
    N(fp2_mul)(&s, &a->c2, b0);
    N(fp2_add)(&c2, &s, &t1);
    r->c0 = c0;
    r->c1 = c1;
    r->c2 = c2;
}

static inline void N(fp6_mul_fp2)(fp6 *r, const fp6 *a, const fp2 *b) {
    N(fp2_mul)(&r->c0, &a->c0, b);
    N(fp2_mul)(&r->c1, &a->c1, b);
    N(fp2_mul)(&r->c2, &a->c2, b);
}

static void N(fp6_inv)(fp6 *r, const fp6 *a) {
    fp2 t0, t1, t2, s, d;
    /* t0 = a0^2 - xi a1 a2, t1 = xi a2^2 - a0 a1, t2 = a1^2 - a0 a2 */
    N(fp2_sqr)(&t0, &a->c0);
    N(fp2_mul)(&s, &a->c1, &a->c2);
    N(fp2_mul_xi)(&s, &s);
    N(fp2_sub)(&t0, &t0, &s);
    N(fp2_sqr)(&t1, &a->c2);
    N(fp2_mul_xi)(&t1, &t1);
    N(fp2_mul)(&s, &a->c0, &a->c1);
    N(fp2_sub)(&t1, &t1, &s);
    N(fp2_sqr)(&t2, &a->c1);
    N(fp2_mul)(&s, &a->c0, &a->c2);
    N(fp2_sub)(&t2, &t2, &s);
    /* d = a0 t0 + xi (a2 t1 + a1 t2) */
    N(fp2_mul)(&d, &a->c2, &t1);
    N(fp2_mul)(&s, &a->c1, &t2);
    N(fp2_add)(&d, &d, &s);
    N(fp2_mul_xi)(&d, &d);
    N(fp2_mul)(&s, &a->c0, &t0);
    N(fp2_add)(&d, &d, &s);
    N(fp2_inv)(&d, &d);
    N(fp2_mul)(&r->c0, &t0, &d);
    N(fp2_mul)(&r->c1, &t1, &d);
    N(fp2_mul)(&r->c2, &t2, &d);
}

/* ------------------------------------------------------------------------ */
/* Fp12 = Fp6[w]/(w^2 - v). As a vector over Fp2 on the basis w^k (w^6 = xi):
 * c0 = a0.c0, c1 = a1.c0, c2 = a0.c1, c3 = a1.c1, c4 = a0.c2, c5 = a1.c2. */

static void N(fp12_mul)(fp12 *r, const fp12 *a, const fp12 *b) {
    fp6 v0, v1, s, t;
    N(fp6_mul)(&v0, &a->c0, &b->c0);
    N(fp6_mul)(&v1, &a->c1, &b->c1);
    N(fp6_add)(&s, &a->c0, &a->c1);
    N(fp6_add)(&t, &b->c0, &b->c1);
    N(fp6_mul)(&s, &s, &t);
    N(fp6_sub)(&s, &s, &v0);
    N(fp6_sub)(&r->c1, &s, &v1);
    N(fp6_mul_v)(&v1, &v1);
    N(fp6_add)(&r->c0, &v0, &v1);
}

/* Complex squaring: c0 = (a0 + a1)(a0 + v a1) - m - v m, c1 = 2m, m = a0 a1. */
static void N(fp12_sqr)(fp12 *r, const fp12 *a) {
    fp6 m, s, t;
    N(fp6_mul)(&m, &a->c0, &a->c1);
    N(fp6_add)(&s, &a->c0, &a->c1);
    N(fp6_mul_v)(&t, &a->c1);
    N(fp6_add)(&t, &t, &a->c0);
    N(fp6_mul)(&s, &s, &t);
    N(fp6_sub)(&s, &s, &m);
    N(fp6_mul_v)(&t, &m);
    N(fp6_sub)(&r->c0, &s, &t);
    N(fp2_dbl)(&r->c1.c0, &m.c0);
    N(fp2_dbl)(&r->c1.c1, &m.c1);
    N(fp2_dbl)(&r->c1.c2, &m.c2);
}

/* The p^6-power Frobenius, which is the inverse on the cyclotomic subgroup. */
static inline void N(fp12_conj)(fp12 *r, const fp12 *a) {
    r->c0 = a->c0;
    N(fp6_neg)(&r->c1, &a->c1);
}

static void N(fp12_inv)(fp12 *r, const fp12 *a) {
    /* 1/(a0 + a1 w) = (a0 - a1 w) / (a0^2 - v a1^2) */
    fp6 t0, t1;
    N(fp6_sqr)(&t0, &a->c0);
    N(fp6_sqr)(&t1, &a->c1);
    N(fp6_mul_v)(&t1, &t1);
    N(fp6_sub)(&t0, &t0, &t1);
    N(fp6_inv)(&t1, &t0);
    N(fp6_mul)(&r->c0, &a->c0, &t1);
    N(fp6_mul)(&t0, &a->c1, &t1);
    N(fp6_neg)(&r->c1, &t0);
}

/* f * (l0 + (l1 + l3 v) w): the sparse line of the Miller loop (coefficients of
 * w^0, w^1, w^3). Thirteen Fp2 multiplications instead of eighteen. */
static void N(fp12_mul_line)(fp12 *f, const fp2 *l0, const fp2 *l1, const fp2 *l3) {
    fp6 v0, v1, s;
    fp2 t;
    N(fp6_mul_fp2)(&v0, &f->c0, l0);
    N(fp6_mul_01)(&v1, &f->c1, l1, l3);
    N(fp6_add)(&s, &f->c0, &f->c1);
    N(fp2_add)(&t, l0, l1);
    N(fp6_mul_01)(&s, &s, &t, l3);
    N(fp6_sub)(&s, &s, &v0);
    N(fp6_sub)(&f->c1, &s, &v1);
    N(fp6_mul_v)(&v1, &v1);
    N(fp6_add)(&f->c0, &v0, &v1);
}

/* Frobenius maps: (sum c_k w^k)^(p^j) = sum frob_j(c_k) * gamma_{j,k} w^k with
 * gamma_{j,k} = xi^(k (p^j - 1)/6); frob_j is conjugation for odd j. */
static void N(fp12_frob)(fp12 *r, const fp12 *a, int j) {
    const fp2 *g1, *g2, *g3, *g4, *g5;
    if (j == 1) {
        g1 = &FROB1_1; g2 = &FROB1_2; g3 = &FROB1_3; g4 = &FROB1_4; g5 = &FROB1_5;
    } else if (j == 2) {
        g1 = &FROB2_1; g2 = &FROB2_2; g3 = &FROB2_3; g4 = &FROB2_4; g5 = &FROB2_5;
    } else {
        g1 = &FROB3_1; g2 = &FROB3_2; g3 = &FROB3_3; g4 = &FROB3_4; g5 = &FROB3_5;
    }
    fp12 t;
    if (j & 1) {
        N(fp2_conj)(&t.c0.c0, &a->c0.c0);
        N(fp2_conj)(&t.c1.c0, &a->c1.c0);
        N(fp2_conj)(&t.c0.c1, &a->c0.c1);
        N(fp2_conj)(&t.c1.c1, &a->c1.c1);
        N(fp2_conj)(&t.c0.c2, &a->c0.c2);
        N(fp2_conj)(&t.c1.c2, &a->c1.c2);
    } else {
        t = *a;
    }
    r->c0.c0 = t.c0.c0;                       /* w^0 */
    N(fp2_mul)(&r->c1.c0, &t.c1.c0, g1);      /* w^1 */
    N(fp2_mul)(&r->c0.c1, &t.c0.c1, g2);      /* w^2 */
    N(fp2_mul)(&r->c1.c1, &t.c1.c1, g3);      /* w^3 */
    N(fp2_mul)(&r->c0.c2, &t.c0.c2, g4);      /* w^4 */
    N(fp2_mul)(&r->c1.c2, &t.c1.c2, g5);      /* w^5 */
}

/* Squaring in the cyclotomic subgroup [GS10 §3.2]. View Fp12 = Fp4[w]/(w^3 - s)
 * with Fp4 = Fp2[s]/(s^2 - xi), s = w^3: f = A + B w + C w^2 where
 * A = c0 + c3 s, B = c1 + c4 s, C = c2 + c5 s. For f of norm one,
 *   A' = 3A^2 - 2 conj(A),  B' = 3 s C^2 + 2 conj(B),  C' = 3B^2 - 2 conj(C),
 * conj being the Fp4/Fp2 conjugation (x + y s -> x - y s). */
static inline void N(fp4_sqr)(fp2 *r0, fp2 *r1, const fp2 *x, const fp2 *y) {
    fp2 t0, t1, t2;
    N(fp2_sqr)(&t0, x);
    N(fp2_sqr)(&t1, y);
    N(fp2_add)(&t2, x, y);
    N(fp2_sqr)(&t2, &t2);
    N(fp2_sub)(&t2, &t2, &t0);
    N(fp2_sub)(r1, &t2, &t1); /* 2xy */
    N(fp2_mul_xi)(&t1, &t1);
    N(fp2_add)(r0, &t0, &t1); /* x^2 + xi y^2 */
}

static void N(fp12_cyclo_sqr)(fp12 *r, const fp12 *a) {
    fp2 A0, A1, B0, B1, C0, C1, t;
    N(fp4_sqr)(&A0, &A1, &a->c0.c0, &a->c1.c1); /* A^2 */
    N(fp4_sqr)(&B0, &B1, &a->c1.c0, &a->c0.c2); /* B^2 */
    N(fp4_sqr)(&C0, &C1, &a->c0.c1, &a->c1.c2); /* C^2 */
    fp12 o;
    /* A' = 3A^2 - 2conj(A): (3 A0sq - 2 c0, 3 A1sq + 2 c3) */
    N(fp2_sub)(&t, &A0, &a->c0.c0); N(fp2_dbl)(&t, &t); N(fp2_add)(&o.c0.c0, &t, &A0);
    N(fp2_add)(&t, &A1, &a->c1.c1); N(fp2_dbl)(&t, &t); N(fp2_add)(&o.c1.c1, &t, &A1);
    /* C' = 3B^2 - 2conj(C): (3 B0sq - 2 c2, 3 B1sq + 2 c5) */
    N(fp2_sub)(&t, &B0, &a->c0.c1); N(fp2_dbl)(&t, &t); N(fp2_add)(&o.c0.c1, &t, &B0);
    N(fp2_add)(&t, &B1, &a->c1.c2); N(fp2_dbl)(&t, &t); N(fp2_add)(&o.c1.c2, &t, &B1);
    /* B' = 3 s C^2 + 2conj(B), s C^2 = (xi C1sq, C0sq): (3 xi C1sq + 2 c1, 3 C0sq - 2 c4) */
    fp2 x;
    N(fp2_mul_xi)(&x, &C1);
    N(fp2_add)(&t, &x, &a->c1.c0); N(fp2_dbl)(&t, &t); N(fp2_add)(&o.c1.c0, &t, &x);
    N(fp2_sub)(&t, &C0, &a->c0.c2); N(fp2_dbl)(&t, &t); N(fp2_add)(&o.c0.c2, &t, &C0);
    *r = o;
}

static int N(fp12_is_one)(const fp12 *a) {
    static const fp2 zero2;
    if (!N(fp_eq)(&a->c0.c0.c0, &FP_ONE) || !N(fp_is_zero)(&a->c0.c0.c1)) return 0;
    return N(fp2_eq)(&a->c0.c1, &zero2) && N(fp2_eq)(&a->c0.c2, &zero2) && N(fp2_eq)(&a->c1.c0, &zero2) &&
           N(fp2_eq)(&a->c1.c1, &zero2) && N(fp2_eq)(&a->c1.c2, &zero2);
}

static void N(fp12_set_one)(fp12 *r) {
    memset(r, 0, sizeof *r);
    r->c0.c0.c0 = FP_ONE;
}

/* f^u in the cyclotomic subgroup, u = 0x44e992b44a6909f1 by its NAF (inverse = conj). */
static void N(fp12_cyclo_exp_u)(fp12 *r, const fp12 *f) {
    fp12 acc = *f, finv;
    N(fp12_conj)(&finv, f);
    for (int i = (int)(sizeof NAF_U) - 2; i >= 0; i--) {
        N(fp12_cyclo_sqr)(&acc, &acc);
        if (NAF_U[i] == 1) N(fp12_mul)(&acc, &acc, f);
        else if (NAF_U[i] == -1) N(fp12_mul)(&acc, &acc, &finv);
    }
    *r = acc;
}

/* f^((p^12 - 1)/r). Easy part f^((p^6 - 1)(p^2 + 1)); hard part
 * (p^4 - p^2 + 1)/r = l0 + l1 p + l2 p^2 + l3 p^3 by the addition chain of
 * [SBCDK09 §5] on f^u, f^u^2, f^u^3 and Frobenius images. */
static void N(final_exp)(fp12 *r, const fp12 *f) {
    fp12 t, inv, m;
    N(fp12_conj)(&t, f);
    N(fp12_inv)(&inv, f);
    N(fp12_mul)(&m, &t, &inv);          /* f^(p^6 - 1) */
    N(fp12_frob)(&t, &m, 2);
    N(fp12_mul)(&m, &t, &m);            /* ^(p^2 + 1): now in the cyclotomic subgroup */

    fp12 fu, fu2, fu3, y0, y1, y2, y3, y4, y5, y6, a, b;
    N(fp12_cyclo_exp_u)(&fu, &m);
    N(fp12_cyclo_exp_u)(&fu2, &fu);
    N(fp12_cyclo_exp_u)(&fu3, &fu2);

    N(fp12_frob)(&y0, &m, 1);
    N(fp12_frob)(&a, &m, 2);
    N(fp12_mul)(&y0, &y0, &a);
    N(fp12_frob)(&a, &m, 3);
    N(fp12_mul)(&y0, &y0, &a);          /* y0 = m^p m^p^2 m^p^3 */
    N(fp12_conj)(&y1, &m);              /* y1 = 1/m */
    N(fp12_frob)(&y2, &fu2, 2);         /* y2 = (m^u^2)^p^2 */
    N(fp12_frob)(&a, &fu, 1);
    N(fp12_conj)(&y3, &a);              /* y3 = 1/(m^u)^p */
    N(fp12_frob)(&a, &fu2, 1);
    N(fp12_mul)(&a, &a, &fu);
    N(fp12_conj)(&y4, &a);              /* y4 = 1/(m^u (m^u^2)^p) */
    N(fp12_conj)(&y5, &fu2);            /* y5 = 1/m^u^2 */
    N(fp12_frob)(&a, &fu3, 1);
    N(fp12_mul)(&a, &a, &fu3);
    N(fp12_conj)(&y6, &a);              /* y6 = 1/(m^u^3 (m^u^3)^p) */

    /* result = y0 y1^2 y2^6 y3^12 y4^18 y5^30 y6^36 */
    N(fp12_cyclo_sqr)(&a, &y6);
    N(fp12_mul)(&a, &a, &y4);
    N(fp12_mul)(&a, &a, &y5);           /* T0 */
    N(fp12_mul)(&b, &y3, &y5);
    N(fp12_mul)(&b, &b, &a);            /* T1 */
    N(fp12_mul)(&a, &a, &y2);
    N(fp12_cyclo_sqr)(&b, &b);
    N(fp12_mul)(&b, &b, &a);
    N(fp12_cyclo_sqr)(&b, &b);
    N(fp12_mul)(&a, &b, &y1);
    N(fp12_mul)(&b, &b, &y0);
    N(fp12_cyclo_sqr)(&a, &a);
    N(fp12_mul)(r, &a, &b);
}

/* ------------------------------------------------------------------------ */
/* G1: y^2 = x^3 + 3 over Fp, Jacobian coordinates (x = X/Z^2, y = Y/Z^3). */

static int N(g1_on_curve)(const fp *x, const fp *y) {
    fp l, r;
    N(fp_sqr)(&l, y);
    N(fp_sqr)(&r, x);
    N(fp_mul)(&r, &r, x);
    N(fp_add)(&r, &r, &FP_B);
    return N(fp_eq)(&l, &r);
}

/* Decodes 64 bytes; *inf set for (0, 0). Returns a px_bn254_status. */
static int N(g1_decode)(g1_affine *p, const uint8_t in[64]) {
    if (!N(fp_from_bytes)(&p->x, in) || !N(fp_from_bytes)(&p->y, in + 32)) return px_bn254_not_canonical;
    p->inf = N(fp_is_zero)(&p->x) && N(fp_is_zero)(&p->y);
    if (!p->inf && !N(g1_on_curve)(&p->x, &p->y)) return px_bn254_not_on_curve;
    return px_bn254_ok;
}

/* dbl-2009-l (a = 0): 2M + 5S. */
static void N(g1_dbl)(g1_jac *r, const g1_jac *p) {
    if (N(fp_is_zero)(&p->Z)) { *r = *p; return; }
    fp A, B, C, D, E, F, t;
    N(fp_sqr)(&A, &p->X);
    N(fp_sqr)(&B, &p->Y);
    N(fp_sqr)(&C, &B);
    N(fp_add)(&D, &p->X, &B);
    N(fp_sqr)(&D, &D);
    N(fp_sub)(&D, &D, &A);
    N(fp_sub)(&D, &D, &C);
    N(fp_dbl)(&D, &D);                  /* D = 2((X + B)^2 - A - C) = 4 X Y^2 */
    N(fp_dbl)(&E, &A);
    N(fp_add)(&E, &E, &A);              /* E = 3 X^2 */
    N(fp_sqr)(&F, &E);
    N(fp_mul)(&t, &p->Y, &p->Z);
    N(fp_dbl)(&r->Z, &t);               /* Z3 = 2 Y Z */
    N(fp_sub)(&F, &F, &D);
    N(fp_sub)(&r->X, &F, &D);           /* X3 = F - 2D */
    N(fp_sub)(&t, &D, &r->X);
    N(fp_mul)(&t, &t, &E);
    N(fp_dbl)(&C, &C);
    N(fp_dbl)(&C, &C);
    N(fp_dbl)(&C, &C);
    N(fp_sub)(&r->Y, &t, &C);           /* Y3 = E (D - X3) - 8C */
}

/* Jacobian + affine (madd-2007-bl), with the exceptional cases handled. */
static void N(g1_add_mixed)(g1_jac *r, const g1_jac *p, const g1_affine *q) {
    if (q->inf) { *r = *p; return; }
    if (N(fp_is_zero)(&p->Z)) {
        r->X = q->x; r->Y = q->y; r->Z = FP_ONE;
        return;
    }
    fp Z1Z1, U2, S2, H, HH, I, J, rr, V, t;
    N(fp_sqr)(&Z1Z1, &p->Z);
    N(fp_mul)(&U2, &q->x, &Z1Z1);
    N(fp_mul)(&S2, &q->y, &p->Z);
    N(fp_mul)(&S2, &S2, &Z1Z1);
    N(fp_sub)(&H, &U2, &p->X);
    N(fp_sub)(&rr, &S2, &p->Y);
    if (N(fp_is_zero)(&H)) {
        if (N(fp_is_zero)(&rr)) {
            g1_jac q2 = {q->x, q->y, FP_ONE};
            N(g1_dbl)(r, &q2);
        } else {
            memset(r, 0, sizeof *r); /* P = -Q */
        }
        return;
    }
    N(fp_sqr)(&HH, &H);
    N(fp_dbl)(&I, &HH);
    N(fp_dbl)(&I, &I);                  /* I = 4 HH */
    N(fp_mul)(&J, &H, &I);
    N(fp_dbl)(&rr, &rr);                /* r = 2 (S2 - Y1) */
    N(fp_mul)(&V, &p->X, &I);
    fp X3, Y3, Z3;
    N(fp_sqr)(&X3, &rr);
    N(fp_sub)(&X3, &X3, &J);
    N(fp_sub)(&X3, &X3, &V);
    N(fp_sub)(&X3, &X3, &V);            /* X3 = r^2 - J - 2V */
    N(fp_sub)(&t, &V, &X3);
    N(fp_mul)(&t, &t, &rr);
    N(fp_mul)(&Y3, &p->Y, &J);
    N(fp_dbl)(&Y3, &Y3);
    N(fp_sub)(&Y3, &t, &Y3);            /* Y3 = r (V - X3) - 2 Y1 J */
    N(fp_add)(&Z3, &p->Z, &H);
    N(fp_sqr)(&Z3, &Z3);
    N(fp_sub)(&Z3, &Z3, &Z1Z1);
    N(fp_sub)(&Z3, &Z3, &HH);           /* Z3 = (Z1 + H)^2 - Z1Z1 - HH = 2 Z1 H */
    r->X = X3; r->Y = Y3; r->Z = Z3;
}

static void N(g1_encode)(uint8_t out[64], const g1_jac *p) {
    if (N(fp_is_zero)(&p->Z)) { memset(out, 0, 64); return; }
    fp zi, zi2, x, y;
    N(fp_inv)(&zi, &p->Z);
    N(fp_sqr)(&zi2, &zi);
    N(fp_mul)(&x, &p->X, &zi2);
    N(fp_mul)(&zi2, &zi2, &zi);
    N(fp_mul)(&y, &p->Y, &zi2);
    N(fp_to_bytes)(out, &x);
    N(fp_to_bytes)(out + 32, &y);
}

/* Affine addition with one inversion: cheaper than Jacobian plus normalisation. */
static int N(bn254_add)(const uint8_t in[128], uint8_t out[64]) {
    g1_affine a, b;
    int st = N(g1_decode)(&a, in);
    if (st) return st;
    st = N(g1_decode)(&b, in + 64);
    if (st) return st;
    if (a.inf || b.inf) {
        if (a.inf && b.inf) { memset(out, 0, 64); return px_bn254_ok; }
        const g1_affine *c = a.inf ? &b : &a;
        N(fp_to_bytes)(out, &c->x);
        N(fp_to_bytes)(out + 32, &c->y);
        return px_bn254_ok;
    }
    fp num, den, lambda, x3, y3, t;
    if (N(fp_eq)(&a.x, &b.x)) {
        if (!N(fp_eq)(&a.y, &b.y) || N(fp_is_zero)(&a.y)) { memset(out, 0, 64); return px_bn254_ok; }
        /* tangent: lambda = 3x^2 / 2y */
        N(fp_sqr)(&num, &a.x);
        N(fp_dbl)(&t, &num);
        N(fp_add)(&num, &num, &t);
        N(fp_dbl)(&den, &a.y);
    } else {
        N(fp_sub)(&num, &b.y, &a.y);
        N(fp_sub)(&den, &b.x, &a.x);
    }
    N(fp_inv)(&den, &den);
    N(fp_mul)(&lambda, &num, &den);
    N(fp_sqr)(&x3, &lambda);
    N(fp_sub)(&x3, &x3, &a.x);
    N(fp_sub)(&x3, &x3, &b.x);
    N(fp_sub)(&t, &a.x, &x3);
    N(fp_mul)(&y3, &lambda, &t);
    N(fp_sub)(&y3, &y3, &a.y);
    N(fp_to_bytes)(out, &x3);
    N(fp_to_bytes)(out + 32, &y3);
    return px_bn254_ok;
}

/* Width-5 NAF of a 256-bit value: odd digits in [-15, 15], each non-zero digit
 * followed by at least four zeros; at most 257 digits, least significant first. */
static int N(wnaf5)(int8_t naf[258], const uint64_t kin[4]) {
    uint64_t k[5] = {kin[0], kin[1], kin[2], kin[3], 0};
    int len = 0;
    while (k[0] | k[1] | k[2] | k[3] | k[4]) {
        int d = 0;
        if (k[0] & 1) {
            d = (int)(k[0] & 31);
            if (d > 16) d -= 32;
            /* k -= d, leaving k divisible by 32 */
            uint64_t c = 0;
            if (d > 0) {
                k[0] = px_sbb(k[0], (uint64_t)d, 0, &c);
                for (int i = 1; i < 5; i++) k[i] = px_sbb(k[i], 0, c, &c);
            } else {
                k[0] = px_adc(k[0], (uint64_t)(-d), 0, &c);
                for (int i = 1; i < 5; i++) k[i] = px_adc(k[i], 0, c, &c);
            }
        }
        naf[len++] = (int8_t)d;
        for (int i = 0; i < 4; i++) k[i] = (k[i] >> 1) | (k[i + 1] << 63);
        k[4] >>= 1;
    }
    return len;
}

/* Odd multiples P, 3P, ..., 15P in affine form. With 2P = (X2, Y2, Z2) in
 * Jacobian form, the isomorphism (x, y) -> (Z2^2 x, Z2^3 y) maps E to
 * E_Z: y^2 = x^3 + 3 Z2^6, taking 2P to the affine point (X2, Y2) and P to
 * (Z2^2 x, Z2^3 y). The additions never use the constant b, so the chain
 * P + 2P + ... runs on E_Z with mixed additions; a result (X, Y, Z) on E_Z is
 * (X, Y, Z Z2) on E. No (2i-1)P + 2P is exceptional (r is far larger), and
 * one inversion (Montgomery's trick) makes all eight affine. */
static void N(g1_odd_table)(g1_affine ta[8], const g1_affine *p) {
    g1_jac tj[8], p2;
    tj[0].X = p->x; tj[0].Y = p->y; tj[0].Z = FP_ONE;
    N(g1_dbl)(&p2, &tj[0]);
    fp z2, z3;
    N(fp_sqr)(&z2, &p2.Z);
    N(fp_mul)(&z3, &z2, &p2.Z);
    N(fp_mul)(&tj[0].X, &p->x, &z2);
    N(fp_mul)(&tj[0].Y, &p->y, &z3);
    g1_affine p2a = {p2.X, p2.Y, 0};
    for (int i = 1; i < 8; i++) N(g1_add_mixed)(&tj[i], &tj[i - 1], &p2a);
    for (int i = 0; i < 8; i++) N(fp_mul)(&tj[i].Z, &tj[i].Z, &p2.Z);
    fp pre[8], inv, t;
    pre[0] = tj[0].Z;
    for (int i = 1; i < 8; i++) N(fp_mul)(&pre[i], &pre[i - 1], &tj[i].Z);
    N(fp_inv)(&inv, &pre[7]);
    for (int i = 7; i >= 0; i--) {
        fp zi, zi2;
        if (i > 0) {
            N(fp_mul)(&zi, &inv, &pre[i - 1]);
            N(fp_mul)(&inv, &inv, &tj[i].Z);
        } else {
            zi = inv;
        }
        N(fp_sqr)(&zi2, &zi);
        N(fp_mul)(&ta[i].x, &tj[i].X, &zi2);
        N(fp_mul)(&t, &zi2, &zi);
        N(fp_mul)(&ta[i].y, &tj[i].Y, &t);
        ta[i].inf = 0;
    }
}

/* acc += d * T (d an odd wNAF digit, T the odd-multiple table), sign flips y. */
static inline void N(g1_add_digit)(g1_jac *acc, const g1_affine ta[8], int d, int negate) {
    if (!d) return;
    g1_affine q = ta[(d < 0 ? -d : d) >> 1];
    if ((d < 0) != negate) N(fp_neg)(&q.y, &q.y);
    N(g1_add_mixed)(acc, acc, &q);
}

/* 256-bit helpers for the GLV split (plain integers, little-endian limbs). */
static inline void N(u256_sub)(uint64_t r[4], const uint64_t a[4], const uint64_t b[4]) {
    uint64_t c = 0;
    for (int i = 0; i < 4; i++) r[i] = px_sbb(a[i], b[i], c, &c);
}

/* Low (hi = 0) or high (hi = 1) 256 bits of the 512-bit product a b. */
static void N(u256_mul)(uint64_t r[4], const uint64_t a[4], const uint64_t b[4], int hi) {
    uint64_t t[8] = {0};
    for (int i = 0; i < 4; i++) {
        uint64_t c = 0;
        for (int j = 0; j < 4; j++) {
            u128 v = (u128)a[i] * b[j] + t[i + j] + c;
            t[i + j] = (uint64_t)v;
            c = (uint64_t)(v >> 64);
        }
        t[i + 4] = c;
    }
    memcpy(r, t + (hi ? 4 : 0), 4 * sizeof(uint64_t));
}

/* k = k1 + k2 lambda (mod r) with |k1|, |k2| < 2^127 [GLV01 §4], by Babai
 * rounding against the basis v1 = (a1, b1), v2 = (a2, b2) of gen_consts.py:
 *   c1 = floor(k g1 / 2^256) ~ k b2 / r,  c2 = floor(k g2 / 2^256) ~ -k b1 / r,
 *   k1 = k - c1 a1 - c2 a2,  k2 = c1 (-b1) - c2 b2   (computed mod 2^256).
 * Returns 0 if a half exceeds 128 bits (never for k < r; kept as a guard). */
static int N(glv_split)(uint64_t k1[4], int *neg1, uint64_t k2[4], int *neg2, const uint64_t kin[4]) {
    uint64_t k[4] = {kin[0], kin[1], kin[2], kin[3]}, c1[4], c2[4], t[4];
    for (;;) { /* k mod r: at most five subtractions */
        uint64_t d[4], borrow = 0;
        for (int i = 0; i < 4; i++) d[i] = px_sbb(k[i], R_ORDER[i], borrow, &borrow);
        if (borrow) break;
        memcpy(k, d, sizeof k);
    }
    N(u256_mul)(c1, k, GLV_G1, 1);
    N(u256_mul)(c2, k, GLV_G2, 1);
    N(u256_mul)(t, c1, GLV_A1, 0);
    N(u256_sub)(k1, k, t);
    N(u256_mul)(t, c2, GLV_A2, 0);
    N(u256_sub)(k1, k1, t);
    N(u256_mul)(k2, c1, GLV_NB1, 0);
    N(u256_mul)(t, c2, GLV_B2, 0);
    N(u256_sub)(k2, k2, t);
    static const uint64_t zero[4] = {0, 0, 0, 0};
    *neg1 = (int)(k1[3] >> 63);
    if (*neg1) N(u256_sub)(k1, zero, k1);
    *neg2 = (int)(k2[3] >> 63);
    if (*neg2) N(u256_sub)(k2, zero, k2);
    return (k1[2] | k1[3] | k2[2] | k2[3]) == 0;
}

/* [k]P for P on the curve, not infinity; glv selects the endomorphism split
 * (the plain wNAF is its reference in the self-test, and its fallback). */
static void N(g1_mul_jac)(g1_jac *acc, const g1_affine *p, const uint64_t k[4], int glv) {
    g1_affine ta[8], tb[8];
    int8_t naf1[258], naf2[258];
    uint64_t k1[4], k2[4];
    int neg1 = 0, neg2 = 0, len1, len2 = 0;
    memset(acc, 0, sizeof *acc);
    if ((k[0] | k[1] | k[2] | k[3]) == 0) return;
    N(g1_odd_table)(ta, p);
    if (glv && N(glv_split)(k1, &neg1, k2, &neg2, k)) {
        /* phi(jP) = (beta x, y) for the second table */
        for (int i = 0; i < 8; i++) {
            N(fp_mul)(&tb[i].x, &ta[i].x, &GLV_BETA);
            tb[i].y = ta[i].y;
            tb[i].inf = 0;
        }
        len1 = N(wnaf5)(naf1, k1);
        len2 = N(wnaf5)(naf2, k2);
    } else {
        len1 = N(wnaf5)(naf1, k);
    }
    int len = len1 > len2 ? len1 : len2;
    for (int i = len - 1; i >= 0; i--) {
        N(g1_dbl)(acc, acc);
        if (i < len1) N(g1_add_digit)(acc, ta, naf1[i], neg1);
        if (i < len2) N(g1_add_digit)(acc, tb, naf2[i], neg2);
    }
}

/* Scalar multiplication: any 256-bit scalar (G1 has prime order r, so k and
 * k mod r give the same point); GLV split into two 127-bit halves, each in
 * width-5 NAF, interleaved over one chain of Jacobian doublings. */
static int N(bn254_mul)(const uint8_t in[96], uint8_t out[64]) {
    g1_affine p;
    int st = N(g1_decode)(&p, in);
    if (st) return st;
    uint64_t k[4];
    for (int i = 0; i < 4; i++) {
        uint64_t w = 0;
        for (int j = 0; j < 8; j++) w = (w << 8) | in[64 + (3 - i) * 8 + j];
        k[i] = w;
    }
    if (p.inf) { memset(out, 0, 64); return px_bn254_ok; }
    g1_jac acc;
    N(g1_mul_jac)(&acc, &p, k, 1);
    N(g1_encode)(out, &acc);
    return px_bn254_ok;
}

/* ------------------------------------------------------------------------ */
/* G2 on the D-type sextic twist E': y^2 = x^3 + b', b' = 3/xi, over Fp2.
 * The untwist is (x, y) -> (x w^2, y w^3) into E(Fp12). */

static int N(g2_on_curve)(const fp2 *x, const fp2 *y) {
    fp2 l, r;
    N(fp2_sqr)(&l, y);
    N(fp2_sqr)(&r, x);
    N(fp2_mul)(&r, &r, x);
    N(fp2_add)(&r, &r, &FP2_B_TWIST);
    return N(fp2_eq)(&l, &r);
}

static void N(g2_dbl)(g2_jac *r, const g2_jac *p) {
    if (N(fp2_is_zero)(&p->Z)) { *r = *p; return; }
    fp2 A, B, C, D, E, F, t;
    N(fp2_sqr)(&A, &p->X);
    N(fp2_sqr)(&B, &p->Y);
    N(fp2_sqr)(&C, &B);
    N(fp2_add)(&D, &p->X, &B);
    N(fp2_sqr)(&D, &D);
    N(fp2_sub)(&D, &D, &A);
    N(fp2_sub)(&D, &D, &C);
    N(fp2_dbl)(&D, &D);
    N(fp2_dbl)(&E, &A);
    N(fp2_add)(&E, &E, &A);
    N(fp2_sqr)(&F, &E);
    N(fp2_mul)(&t, &p->Y, &p->Z);
    N(fp2_dbl)(&r->Z, &t);
    N(fp2_sub)(&F, &F, &D);
    N(fp2_sub)(&r->X, &F, &D);
    N(fp2_sub)(&t, &D, &r->X);
    N(fp2_mul)(&t, &t, &E);
    N(fp2_dbl)(&C, &C);
    N(fp2_dbl)(&C, &C);
    N(fp2_dbl)(&C, &C);
    N(fp2_sub)(&r->Y, &t, &C);
}

/* General Jacobian addition (add-2007-bl) with the exceptional cases. */
static void N(g2_add)(g2_jac *r, const g2_jac *p, const g2_jac *q) {
    if (N(fp2_is_zero)(&p->Z)) { *r = *q; return; }
    if (N(fp2_is_zero)(&q->Z)) { *r = *p; return; }
    fp2 Z1Z1, Z2Z2, U1, U2, S1, S2, H, I, J, rr, V, t;
    N(fp2_sqr)(&Z1Z1, &p->Z);
    N(fp2_sqr)(&Z2Z2, &q->Z);
    N(fp2_mul)(&U1, &p->X, &Z2Z2);
    N(fp2_mul)(&U2, &q->X, &Z1Z1);
    N(fp2_mul)(&S1, &p->Y, &q->Z);
    N(fp2_mul)(&S1, &S1, &Z2Z2);
    N(fp2_mul)(&S2, &q->Y, &p->Z);
    N(fp2_mul)(&S2, &S2, &Z1Z1);
    N(fp2_sub)(&H, &U2, &U1);
    N(fp2_sub)(&rr, &S2, &S1);
    if (N(fp2_is_zero)(&H)) {
        if (N(fp2_is_zero)(&rr)) N(g2_dbl)(r, p);
        else memset(r, 0, sizeof *r);
        return;
    }
    N(fp2_dbl)(&I, &H);
    N(fp2_sqr)(&I, &I);
    N(fp2_mul)(&J, &H, &I);
    N(fp2_dbl)(&rr, &rr);
    N(fp2_mul)(&V, &U1, &I);
    fp2 X3, Y3, Z3;
    N(fp2_sqr)(&X3, &rr);
    N(fp2_sub)(&X3, &X3, &J);
    N(fp2_sub)(&X3, &X3, &V);
    N(fp2_sub)(&X3, &X3, &V);
    N(fp2_sub)(&t, &V, &X3);
    N(fp2_mul)(&t, &t, &rr);
    N(fp2_mul)(&Y3, &S1, &J);
    N(fp2_dbl)(&Y3, &Y3);
    N(fp2_sub)(&Y3, &t, &Y3);
    N(fp2_add)(&Z3, &p->Z, &q->Z);
    N(fp2_sqr)(&Z3, &Z3);
    N(fp2_sub)(&Z3, &Z3, &Z1Z1);
    N(fp2_sub)(&Z3, &Z3, &Z2Z2);
    N(fp2_mul)(&Z3, &Z3, &H);
    r->X = X3; r->Y = Y3; r->Z = Z3;
}

static int N(g2_eq)(const g2_jac *p, const g2_jac *q) {
    int pi = N(fp2_is_zero)(&p->Z), qi = N(fp2_is_zero)(&q->Z);
    if (pi || qi) return pi && qi;
    fp2 z1, z2, a, b;
    N(fp2_sqr)(&z1, &p->Z);
    N(fp2_sqr)(&z2, &q->Z);
    N(fp2_mul)(&a, &p->X, &z2);
    N(fp2_mul)(&b, &q->X, &z1);
    if (!N(fp2_eq)(&a, &b)) return 0;
    N(fp2_mul)(&z1, &z1, &p->Z);
    N(fp2_mul)(&z2, &z2, &q->Z);
    N(fp2_mul)(&a, &p->Y, &z2);
    N(fp2_mul)(&b, &q->Y, &z1);
    return N(fp2_eq)(&a, &b);
}

/* psi = untwist-Frobenius-twist: (x, y) -> (conj(x) xi^((p-1)/3), conj(y) xi^((p-1)/2));
 * on Jacobian coordinates Z is conjugated too (Frobenius is a field automorphism). */
static void N(g2_psi)(g2_jac *r, const g2_jac *p) {
    fp2 t;
    N(fp2_conj)(&t, &p->X);
    N(fp2_mul)(&r->X, &t, &FROB1_2);
    N(fp2_conj)(&t, &p->Y);
    N(fp2_mul)(&r->Y, &t, &FROB1_3);
    N(fp2_conj)(&r->Z, &p->Z);
}

/* [u]P by the binary expansion of the public 63-bit u. */
static void N(g2_mul_u)(g2_jac *r, const g2_jac *p) {
    g2_jac acc = *p;
    for (int i = 61; i >= 0; i--) {
        N(g2_dbl)(&acc, &acc);
        if ((BN_U >> i) & 1) N(g2_add)(&acc, &acc, p);
    }
    *r = acc;
}

/* Subgroup membership for a point already known to lie on E'(Fp2), [HGP22 §5.1]:
 * [r]Q = 0  <=>  [u+1]Q + psi([u]Q) + psi^2([u]Q) = psi^3([2u]Q). */
static int N(g2_in_subgroup)(const g2_jac *q) {
    g2_jac uq, lhs, t, rhs;
    N(g2_mul_u)(&uq, q);
    N(g2_add)(&lhs, &uq, q);
    N(g2_psi)(&t, &uq);
    N(g2_add)(&lhs, &lhs, &t);
    N(g2_psi)(&t, &t);
    N(g2_add)(&lhs, &lhs, &t);
    N(g2_psi)(&t, &t);
    N(g2_dbl)(&rhs, &t);
    return N(g2_eq)(&lhs, &rhs);
}

/* [r]Q = 0 by plain double-and-add: the reference for testing g2_in_subgroup. */
static int N(g2_in_subgroup_slow)(const g2_jac *q) {
    g2_jac acc;
    memset(&acc, 0, sizeof acc);
    for (int i = 253; i >= 0; i--) {
        N(g2_dbl)(&acc, &acc);
        if ((R_ORDER[i / 64] >> (i % 64)) & 1) N(g2_add)(&acc, &acc, q);
    }
    return N(fp2_is_zero)(&acc.Z);
}

/* Decodes 128 bytes (x_im, x_re, y_im, y_re). subgroup: 1 fast check, 2 slow, 0 none. */
static int N(g2_decode)(g2_affine *q, const uint8_t in[128], int subgroup) {
    if (!N(fp_from_bytes)(&q->x.c1, in) || !N(fp_from_bytes)(&q->x.c0, in + 32) ||
        !N(fp_from_bytes)(&q->y.c1, in + 64) || !N(fp_from_bytes)(&q->y.c0, in + 96))
        return px_bn254_not_canonical;
    q->inf = N(fp2_is_zero)(&q->x) && N(fp2_is_zero)(&q->y);
    if (q->inf) return px_bn254_ok;
    if (!N(g2_on_curve)(&q->x, &q->y)) return px_bn254_not_on_curve;
    if (subgroup) {
        g2_jac j = {q->x, q->y, {FP_ONE, {{0, 0, 0, 0}}}};
        int ok = subgroup == 2 ? N(g2_in_subgroup_slow)(&j) : N(g2_in_subgroup)(&j);
        if (!ok) return px_bn254_not_in_subgroup;
    }
    return px_bn254_ok;
}

/* ------------------------------------------------------------------------ */
/* Optimal ate pairing [Ver10]: f_{6u+2,Q}(P) l_{T,pi(Q)}(P) l_{T',-pi^2(Q)}(P),
 * with T in homogeneous projective coordinates (x = X/Z, y = Y/Z) on E' and the
 * line formulas of [ALNR11 §4]. A line through untwisted points has the form
 *   l0 + l1 w + l3 w^3 with l0 in Fp2 * yP and l1 in Fp2 * xP,
 * up to a factor in Fp2 that the final exponentiation removes. */

typedef struct {
    g2_proj T;
    g2_affine Q;   /* the G2 input (affine) */
    fp nyP, xP;    /* -yP and xP */
} N(pair_state);

/* T <- 2T; line = tangent at T evaluated at P:
 *   l0 = -2YZ yP, l1 = 3X^2 xP, l3 = 3b'Z^2 - Y^2. */
static void N(dbl_step)(N(pair_state) *s, fp2 *l0, fp2 *l1, fp2 *l3) {
    g2_proj *T = &s->T;
    fp2 A, B, C, E, F, G, H, t;
    N(fp2_mul)(&A, &T->X, &T->Y);
    N(fp_half)(&A.c0, &A.c0);
    N(fp_half)(&A.c1, &A.c1);           /* A = XY/2 */
    N(fp2_sqr)(&B, &T->Y);              /* B = Y^2 */
    N(fp2_sqr)(&C, &T->Z);              /* C = Z^2 */
    N(fp2_mul)(&E, &C, &FP2_B3_TWIST);  /* E = 3b' Z^2 */
    N(fp2_dbl)(&F, &E);
    N(fp2_add)(&F, &F, &E);             /* F = 3E */
    N(fp2_add)(&G, &B, &F);
    N(fp_half)(&G.c0, &G.c0);
    N(fp_half)(&G.c1, &G.c1);           /* G = (B + F)/2 */
    N(fp2_add)(&H, &T->Y, &T->Z);
    N(fp2_sqr)(&H, &H);
    N(fp2_add)(&t, &B, &C);
    N(fp2_sub)(&H, &H, &t);             /* H = (Y + Z)^2 - B - C = 2YZ */
    /* line */
    N(fp2_sub)(l3, &E, &B);
    N(fp2_sqr)(&t, &T->X);
    N(fp2_mul_fp)(l1, &t, &s->xP);
    N(fp2_dbl)(&t, l1);
    N(fp2_add)(l1, l1, &t);             /* 3 X^2 xP */
    N(fp2_mul_fp)(l0, &H, &s->nyP);
    /* point: X3 = A (B - F), Y3 = G^2 - 3E^2, Z3 = B H */
    N(fp2_sub)(&t, &B, &F);
    N(fp2_mul)(&T->X, &A, &t);
    N(fp2_sqr)(&G, &G);
    N(fp2_sqr)(&t, &E);
    N(fp2_sub)(&G, &G, &t);
    N(fp2_dbl)(&t, &t);
    N(fp2_sub)(&T->Y, &G, &t);
    N(fp2_mul)(&T->Z, &B, &H);
}

/* T <- T + Q (Q affine); line through T and Q at P, scaled by -(X - xQ Z):
 *   l0 = -lambda yP, l1 = theta xP, l3 = lambda yQ - theta xQ,
 * with theta = Y - yQ Z, lambda = X - xQ Z. update: whether T is needed after. */
static void N(add_step)(N(pair_state) *s, const fp2 *xq, const fp2 *yq, fp2 *l0, fp2 *l1, fp2 *l3,
                        int update) {
    g2_proj *T = &s->T;
    fp2 theta, lambda, t, u;
    N(fp2_mul)(&t, yq, &T->Z);
    N(fp2_sub)(&theta, &T->Y, &t);
    N(fp2_mul)(&t, xq, &T->Z);
    N(fp2_sub)(&lambda, &T->X, &t);
    N(fp2_mul_fp)(l0, &lambda, &s->nyP);
    N(fp2_mul_fp)(l1, &theta, &s->xP);
    N(fp2_mul)(&t, &lambda, yq);
    N(fp2_mul)(&u, &theta, xq);
    N(fp2_sub)(l3, &t, &u);
    if (!update) return;
    /* C = theta^2, D = lambda^2, E = lambda^3, F = Z C, G = X D,
     * H = E + F - 2G, X3 = lambda H, Y3 = theta (G - H) - Y E, Z3 = Z E. */
    fp2 C, D, E, F, G, H;
    N(fp2_sqr)(&C, &theta);
    N(fp2_sqr)(&D, &lambda);
    N(fp2_mul)(&E, &D, &lambda);
    N(fp2_mul)(&F, &T->Z, &C);
    N(fp2_mul)(&G, &T->X, &D);
    N(fp2_dbl)(&t, &G);
    N(fp2_add)(&H, &E, &F);
    N(fp2_sub)(&H, &H, &t);
    N(fp2_mul)(&T->X, &lambda, &H);
    N(fp2_sub)(&t, &G, &H);
    N(fp2_mul)(&t, &t, &theta);
    N(fp2_mul)(&u, &T->Y, &E);
    N(fp2_sub)(&T->Y, &t, &u);
    N(fp2_mul)(&T->Z, &T->Z, &E);
}

/* Multi-Miller loop over n pairs sharing one accumulator (one squaring of f per
 * bit for all pairs). f is multiplied into *acc. Every Q is in G2 and not the
 * identity, every P not the identity, so T never meets +-Q or infinity. */
static void N(miller_loop)(fp12 *acc, N(pair_state) *st, size_t n) {
    fp12 f;
    N(fp12_set_one)(&f);
    fp2 l0, l1, l3;
    for (size_t j = 0; j < n; j++) {
        st[j].T.X = st[j].Q.x;
        st[j].T.Y = st[j].Q.y;
        st[j].T.Z.c0 = FP_ONE;
        memset(&st[j].T.Z.c1, 0, sizeof(fp));
    }
    for (int i = (int)(sizeof NAF_6U2) - 2; i >= 0; i--) {
        if (i != (int)(sizeof NAF_6U2) - 2) N(fp12_sqr)(&f, &f);
        for (size_t j = 0; j < n; j++) {
            N(dbl_step)(&st[j], &l0, &l1, &l3);
            N(fp12_mul_line)(&f, &l0, &l1, &l3);
        }
        int d = NAF_6U2[i];
        if (d) {
            for (size_t j = 0; j < n; j++) {
                fp2 ny;
                const fp2 *yq = &st[j].Q.y;
                if (d < 0) { N(fp2_neg)(&ny, yq); yq = &ny; }
                N(add_step)(&st[j], &st[j].Q.x, yq, &l0, &l1, &l3, 1);
                N(fp12_mul_line)(&f, &l0, &l1, &l3);
            }
        }
    }
    /* Q1 = pi(Q) = (conj(x) g12, conj(y) g13); -Q2 = -pi^2(Q) = (x g22, y)
     * because xi^((p^2-1)/2) = -1. */
    for (size_t j = 0; j < n; j++) {
        fp2 x1, y1, x2;
        N(fp2_conj)(&x1, &st[j].Q.x);
        N(fp2_mul)(&x1, &x1, &FROB1_2);
        N(fp2_conj)(&y1, &st[j].Q.y);
        N(fp2_mul)(&y1, &y1, &FROB1_3);
        N(add_step)(&st[j], &x1, &y1, &l0, &l1, &l3, 1);
        N(fp12_mul_line)(&f, &l0, &l1, &l3);
        N(fp2_mul_fp)(&x2, &st[j].Q.x, &FROB2_2.c0);
        N(add_step)(&st[j], &x2, &st[j].Q.y, &l0, &l1, &l3, 0);
        N(fp12_mul_line)(&f, &l0, &l1, &l3);
    }
    N(fp12_mul)(acc, acc, &f);
}

#define PX_BN254_CHUNK 8

static int N(bn254_pairing_check)(const uint8_t *in, size_t len, int *result, int subgroup_mode) {
    if (len % 192 != 0) return px_bn254_bad_length;
    fp12 acc;
    N(fp12_set_one)(&acc);
    N(pair_state) st[PX_BN254_CHUNK];
    size_t n = 0, any = 0;
    for (size_t off = 0; off < len; off += 192) {
        g1_affine p;
        int s = N(g1_decode)(&p, in + off);
        if (s) return s;
        s = N(g2_decode)(&st[n].Q, in + off + 64, subgroup_mode);
        if (s) return s;
        if (p.inf || st[n].Q.inf) continue; /* e(O, Q) = e(P, O) = 1 */
        N(fp_neg)(&st[n].nyP, &p.y);
        st[n].xP = p.x;
        if (++n == PX_BN254_CHUNK) {
            N(miller_loop)(&acc, st, n);
            n = 0;
            any = 1;
        }
    }
    if (n) { N(miller_loop)(&acc, st, n); any = 1; }
    if (!any) { *result = 1; return px_bn254_ok; }
    fp12 e;
    N(final_exp)(&e, &acc);
    *result = N(fp12_is_one)(&e);
    return px_bn254_ok;
}

/* ------------------------------------------------------------------------ */
/* Internal consistency checks on random elements (test hook): each fast
 * routine against a slower, independent one. Returns 0 or the failing check. */

static uint64_t N(st_next)(uint64_t *s) {
    /* splitmix64 */
    uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static void N(st_fp)(fp *r, uint64_t *s) {
    uint8_t b[32];
    do {
        for (int i = 0; i < 32; i += 8) {
            uint64_t w = N(st_next)(s);
            for (int j = 0; j < 8; j++) b[i + j] = (uint8_t)(w >> (8 * j));
        }
        b[0] &= 0x3F;
    } while (!N(fp_from_bytes)(r, b));
}

static void N(st_fp12)(fp12 *r, uint64_t *s) {
    fp *c = (fp *)r;
    for (size_t i = 0; i < sizeof(fp12) / sizeof(fp); i++) N(st_fp)(&c[i], s);
}

static int N(fp12_eq)(const fp12 *a, const fp12 *b) {
    const fp *x = (const fp *)a, *y = (const fp *)b;
    for (size_t i = 0; i < sizeof(fp12) / sizeof(fp); i++)
        if (!N(fp_eq)(&x[i], &y[i])) return 0;
    return 1;
}

static int N(selftest)(uint64_t seed, int n) {
    uint64_t s = seed;
    for (int it = 0; it < n; it++) {
        fp a, b, c, one = FP_ONE;
        N(st_fp)(&a, &s);
        if (it == 0) memset(&a, 0, sizeof a);
        if (it == 1) a = FP_ONE;
        if (it == 2) N(fp_neg)(&a, &FP_ONE);
        if (it >= 3 && it < 3 + 2 * 254) {
            /* powers of two and p minus powers of two, as plain integers */
            uint8_t by[32] = {0};
            int k = (it - 3) / 2;
            by[31 - k / 8] = (uint8_t)(1u << (k % 8));
            if (N(fp_from_bytes)(&a, by) && (it & 1)) N(fp_neg)(&a, &a); /* 2^k >= p: keep the random a */
        }
        N(fp_inv)(&b, &a);
        N(fp_inv_fermat)(&c, &a);
        if (!N(fp_eq)(&b, &c)) return 1;
        N(fp_mul)(&c, &a, &b);
        if (!N(fp_is_zero)(&a) && !N(fp_eq)(&c, &one)) return 2;

        fp6 x6, y6, z6;
        fp12 f, g, h, m;
        N(st_fp12)(&f, &s);
        x6 = f.c0;
        N(fp6_sqr)(&y6, &x6);
        N(fp6_mul)(&z6, &x6, &x6);
        if (memcmp(&y6, &z6, sizeof y6)) return 3;
        N(fp12_sqr)(&g, &f);
        N(fp12_mul)(&h, &f, &f);
        if (!N(fp12_eq)(&g, &h)) return 4;
        N(fp12_inv)(&g, &f);
        N(fp12_mul)(&h, &g, &f);
        if (!N(fp12_is_one)(&h)) return 5;
        /* the easy part lands in the cyclotomic subgroup */
        N(fp12_conj)(&g, &f);
        N(fp12_inv)(&h, &f);
        N(fp12_mul)(&m, &g, &h);
        N(fp12_frob)(&g, &m, 2);
        N(fp12_mul)(&m, &g, &m);
        N(fp12_cyclo_sqr)(&g, &m);
        N(fp12_sqr)(&h, &m);
        if (!N(fp12_eq)(&g, &h)) return 6;
        /* Frobenius composition, and f^p by square-and-multiply on p */
        N(fp12_frob)(&g, &f, 1);
        N(fp12_frob)(&g, &g, 1);
        N(fp12_frob)(&h, &f, 2);
        if (!N(fp12_eq)(&g, &h)) return 7;
        N(fp12_frob)(&g, &g, 1);
        N(fp12_frob)(&h, &f, 3);
        if (!N(fp12_eq)(&g, &h)) return 8;
        if (it < 2) {
            fp12 acc;
            N(fp12_set_one)(&acc);
            for (int i = 253; i >= 0; i--) {
                N(fp12_sqr)(&acc, &acc);
                if ((FP_P.l[i / 64] >> (i % 64)) & 1) N(fp12_mul)(&acc, &acc, &f);
            }
            N(fp12_frob)(&g, &f, 1);
            if (!N(fp12_eq)(&g, &acc)) return 9;
        }
        /* the sparse line product against the dense one */
        fp2 l0, l1, l3;
        N(st_fp)(&l0.c0, &s); N(st_fp)(&l0.c1, &s);
        N(st_fp)(&l1.c0, &s); N(st_fp)(&l1.c1, &s);
        N(st_fp)(&l3.c0, &s); N(st_fp)(&l3.c1, &s);
        memset(&g, 0, sizeof g);
        g.c0.c0 = l0;
        g.c1.c0 = l1;
        g.c1.c1 = l3;
        N(fp12_mul)(&h, &f, &g);
        g = f;
        N(fp12_mul_line)(&g, &l0, &l1, &l3);
        if (!N(fp12_eq)(&g, &h)) return 10;
        /* exponentiation by u against plain square-and-multiply */
        if (it < 2) {
            fp12 acc = m;
            for (int i = 61; i >= 0; i--) {
                N(fp12_sqr)(&acc, &acc);
                if ((BN_U >> i) & 1) N(fp12_mul)(&acc, &acc, &m);
            }
            N(fp12_cyclo_exp_u)(&g, &m);
            if (!N(fp12_eq)(&g, &acc)) return 11;
        }
        /* GLV scalar multiplication against the plain wNAF, on edge scalars too */
        {
            g1_affine g = {FP_ONE, FP_ONE, 0};
            fp two;
            N(fp_dbl)(&two, &FP_ONE);
            g.y = two; /* the generator (1, 2) */
            uint64_t k[4];
            for (int i = 0; i < 4; i++) k[i] = N(st_next)(&s);
            int e = it % 8;
            if (e == 1) memcpy(k, R_ORDER, sizeof k);
            if (e == 2) { memcpy(k, R_ORDER, sizeof k); k[0] -= 1; }
            if (e == 3) { memcpy(k, R_ORDER, sizeof k); k[0] += (uint64_t)(it % 5); }
            if (e == 4) memcpy(k, GLV_LAMBDA, sizeof k);
            if (e == 5) { k[2] = k[3] = 0; }
            if (e == 6) { k[0] = k[1] = k[2] = k[3] = ~0ULL; }
            g1_jac x, y;
            uint8_t bx[64], by[64];
            N(g1_mul_jac)(&x, &g, k, 1);
            N(g1_mul_jac)(&y, &g, k, 0);
            N(g1_encode)(bx, &x);
            N(g1_encode)(by, &y);
            if (memcmp(bx, by, 64)) return 12;
            uint64_t k1[4], k2[4];
            int n1, n2;
            if (!N(glv_split)(k1, &n1, k2, &n2, k)) return 13;
        }
    }
    return 0;
}
