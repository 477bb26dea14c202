/*
 * px_bn254.c — EIP-196 (alt_bn128 addition and scalar multiplication) and
 * EIP-197 (optimal-ate pairing check) on bn254, see include/px_bn254.h.
 *
 * Curve: E: y^2 = x^3 + 3 over Fp, p = 36u^4 + 36u^3 + 24u^2 + 6u + 1 with
 * u = 4965661367192848881 [BN05]; G2 lives on the D-type sextic twist
 * E': y^2 = x^3 + 3/xi over Fp2 = Fp[i]/(i^2 + 1), xi = 9 + i; the tower is
 * Fp6 = Fp2[v]/(v^3 - xi), Fp12 = Fp6[w]/(w^2 - v).
 *
 * Field elements are in Montgomery form on four 64-bit limbs. The arithmetic
 * (px_bn254_impl.h) is compiled twice: once on a portable unsigned __int128
 * Montgomery multiplication, once on a mulx/adcx/adox kernel for CPUs with
 * BMI2 and ADX; px_cpu_features() picks one per call. Both give identical
 * results (the kernels compute the same fully reduced Montgomery product).
 *
 * Inputs are public (precompile calldata), so the code is not constant time;
 * it is total: every input, valid or not, takes a bounded path.
 */
#include "px_bn254.h"
#include "px_cpu.h"

#include <string.h>

typedef unsigned __int128 u128;

typedef struct { uint64_t l[4]; } fp;
typedef struct { fp c0, c1; } fp2;           /* c0 + c1 i */
typedef struct { fp2 c0, c1, c2; } fp6;      /* c0 + c1 v + c2 v^2 */
typedef struct { fp6 c0, c1; } fp12;         /* c0 + c1 w */

typedef struct { fp x, y; int inf; } g1_affine;
typedef struct { fp X, Y, Z; } g1_jac;       /* Z = 0: infinity */
typedef struct { fp2 x, y; int inf; } g2_affine;
typedef struct { fp2 X, Y, Z; } g2_jac;
typedef struct { fp2 X, Y, Z; } g2_proj;     /* homogeneous: x = X/Z, y = Y/Z */

#include "px_bn254_consts.h"

/* Add and subtract with carry. clang's builtins compile to adc/sbb chains;
 * the __int128 fallback is for other compilers. */
#if defined(__clang__) && defined(__has_builtin)
#if __has_builtin(__builtin_addcll) && __has_builtin(__builtin_subcll)
#define PX_BN254_ADDC_BUILTINS 1
#endif
#endif
static inline uint64_t px_adc(uint64_t a, uint64_t b, uint64_t cin, uint64_t *cout) {
#ifdef PX_BN254_ADDC_BUILTINS
    unsigned long long c;
    uint64_t s = __builtin_addcll(a, b, cin, &c);
    *cout = c;
    return s;
#else
    u128 t = (u128)a + b + cin;
    *cout = (uint64_t)(t >> 64);
    return (uint64_t)t;
#endif
}

static inline uint64_t px_sbb(uint64_t a, uint64_t b, uint64_t bin, uint64_t *bout) {
#ifdef PX_BN254_ADDC_BUILTINS
    unsigned long long c;
    uint64_t s = __builtin_subcll(a, b, bin, &c);
    *bout = c;
    return s;
#else
    u128 t = (u128)a - b - bin;
    *bout = (uint64_t)(t >> 64) & 1;
    return (uint64_t)t;
#endif
}


/* ------------------------------------------------------------------------ */
/* Modular inversion by the Bernstein-Yang "safegcd" divstep iteration
 * (Bernstein, Yang, "Fast constant-time gcd computation and modular
 * inversion", TCHES 2019), in its variable-time form (inputs are public).
 *
 * divstep(delta, f, g) with f odd:
 *   delta > 0 and g odd:  (1 - delta, g, (g - f)/2)
 *   g odd:                (1 + delta, f, (g + f)/2)
 *   g even:               (1 + delta, f, g/2)
 * Starting from (1, p, x), g reaches 0 after at most 741 steps for 256-bit
 * inputs (the paper's bound (49d + 57)/17), leaving f = +-gcd = +-1.
 * Steps run in batches of 62 on the low 64 bits of f and g, collecting the
 * 2x2 transition matrix T (entries < 2^62 in absolute value, |u|+|v| <= 2^62):
 *   2^62 (f', g') = T (f, g).
 * T is then applied to the full f, g (exact division by 2^62) and to the
 * Bezout coefficients d, e (f = d x, g = e x mod p), where the division by
 * 2^62 is made exact by adding a multiple of p, and d, e are brought back to
 * [0, p). Numbers are five signed 62-bit limbs (limbs 0..3 in [0, 2^62), the
 * top one signed) so that limb products fit in __int128. */

#define PX_M62 ((int64_t)0x3FFFFFFFFFFFFFFF)
typedef struct { int64_t v[5]; } px_s62;

/* 62 divsteps on the low words; branch-free with masks. Returns the new delta. */
static uint64_t px_divsteps62(uint64_t delta, uint64_t f, uint64_t g, int64_t t[4]) {
    uint64_t u = 1, v = 0, q = 0, r = 1; /* T = [[u, v], [q, r]], two's complement */
    for (int i = 0; i < 62; i++) {
        uint64_t odd = 0 - (g & 1);
        uint64_t swap = odd & (0 - ((0 - delta) >> 63)); /* g odd and delta > 0 */
        /* swap: (f, g) <- (g, -f), (u, v, q, r) <- (q, r, -u, -v), delta <- -delta */
        uint64_t x = (f ^ g) & swap;
        f ^= x;
        g ^= x;
        g = (g ^ swap) - swap;
        x = (u ^ q) & swap;
        u ^= x;
        q ^= x;
        q = (q ^ swap) - swap;
        x = (v ^ r) & swap;
        v ^= x;
        r ^= x;
        r = (r ^ swap) - swap;
        delta = (delta ^ swap) - swap + 1;
        /* g odd: g += f (now even), then halve g; f's row doubles instead */
        g += f & odd;
        q += u & odd;
        r += v & odd;
        g >>= 1;
        u <<= 1;
        v <<= 1;
    }
    t[0] = (int64_t)u;
    t[1] = (int64_t)v;
    t[2] = (int64_t)q;
    t[3] = (int64_t)r;
    return delta;
}

/* (f, g) <- T (f, g) / 2^62, exact. */
static void px_update_fg(px_s62 *f, px_s62 *g, const int64_t t[4]) {
    __int128 cf = (__int128)t[0] * f->v[0] + (__int128)t[1] * g->v[0];
    __int128 cg = (__int128)t[2] * f->v[0] + (__int128)t[3] * g->v[0];
    cf >>= 62;
    cg >>= 62;
    for (int i = 1; i < 5; i++) {
        cf += (__int128)t[0] * f->v[i] + (__int128)t[1] * g->v[i];
        cg += (__int128)t[2] * f->v[i] + (__int128)t[3] * g->v[i];
        f->v[i - 1] = (int64_t)cf & PX_M62;
        g->v[i - 1] = (int64_t)cg & PX_M62;
        cf >>= 62;
        cg >>= 62;
    }
    f->v[4] = (int64_t)cf;
    g->v[4] = (int64_t)cg;
}

/* Propagates carries so that limbs 0..3 are in [0, 2^62). */
static void px_s62_norm(px_s62 *a) {
    for (int i = 0; i < 4; i++) {
        int64_t c = a->v[i] >> 62; /* arithmetic shift: floor division */
        a->v[i] &= PX_M62;
        a->v[i + 1] += c;
    }
}

/* (d, e) <- T (d, e) / 2^62 mod p, for d, e in [0, p); results in [0, p). */
static void px_update_de(px_s62 *d, px_s62 *e, const int64_t t[4]) {
    __int128 cd = (__int128)t[0] * d->v[0] + (__int128)t[1] * e->v[0];
    __int128 ce = (__int128)t[2] * d->v[0] + (__int128)t[3] * e->v[0];
    /* md, me in [0, 2^62) with cd + md p = 0 = ce + me p mod 2^62 */
    uint64_t md = (0 - (uint64_t)cd * PINV62) & (uint64_t)PX_M62;
    uint64_t me = (0 - (uint64_t)ce * PINV62) & (uint64_t)PX_M62;
    cd += (__int128)md * P62[0];
    ce += (__int128)me * P62[0];
    cd >>= 62;
    ce >>= 62;
    for (int i = 1; i < 5; i++) {
        cd += (__int128)t[0] * d->v[i] + (__int128)t[1] * e->v[i] + (__int128)md * P62[i];
        ce += (__int128)t[2] * d->v[i] + (__int128)t[3] * e->v[i] + (__int128)me * P62[i];
        d->v[i - 1] = (int64_t)cd & PX_M62;
        e->v[i - 1] = (int64_t)ce & PX_M62;
        cd >>= 62;
        ce >>= 62;
    }
    d->v[4] = (int64_t)cd;
    e->v[4] = (int64_t)ce;
    /* |T (d, e)| < 2^62 p and md p < 2^62 p, so d, e are in (-p, 2p) now. */
    px_s62 *both[2] = {d, e};
    for (int k = 0; k < 2; k++) {
        px_s62 *a = both[k];
        if (a->v[4] < 0) {
            for (int i = 0; i < 5; i++) a->v[i] += P62[i];
            px_s62_norm(a);
        } else {
            px_s62 s;
            for (int i = 0; i < 5; i++) s.v[i] = a->v[i] - P62[i];
            px_s62_norm(&s);
            if (s.v[4] >= 0) *a = s;
        }
    }
}

/* x^-1 mod p for a plain integer 0 <= x < p (0 gives 0). */
static void px_bn254_inv_int(uint64_t out[4], const uint64_t x[4]) {
    const uint64_t m = (uint64_t)PX_M62;
    px_s62 f = {{P62[0], P62[1], P62[2], P62[3], P62[4]}};
    px_s62 g = {{(int64_t)(x[0] & m), (int64_t)(((x[0] >> 62) | (x[1] << 2)) & m),
                 (int64_t)(((x[1] >> 60) | (x[2] << 4)) & m), (int64_t)(((x[2] >> 58) | (x[3] << 6)) & m),
                 (int64_t)(x[3] >> 56)}};
    px_s62 d = {{0, 0, 0, 0, 0}}, e = {{1, 0, 0, 0, 0}};
    uint64_t delta = 1;
    /* 741 divsteps suffice (12 batches); 16 is a safety cap. */
    for (int batch = 0; batch < 16; batch++) {
        if ((g.v[0] | g.v[1] | g.v[2] | g.v[3] | g.v[4]) == 0) break;
        int64_t t[4];
        delta = px_divsteps62(delta, (uint64_t)f.v[0] | ((uint64_t)f.v[1] << 62),
                              (uint64_t)g.v[0] | ((uint64_t)g.v[1] << 62), t);
        px_update_fg(&f, &g, t);
        px_update_de(&d, &e, t);
    }
    /* f = +-1 and f = d x: the inverse is d, negated when f = -1. */
    if (f.v[4] < 0 && (d.v[0] | d.v[1] | d.v[2] | d.v[3] | d.v[4]) != 0) {
        for (int i = 0; i < 5; i++) d.v[i] = P62[i] - d.v[i];
        px_s62_norm(&d);
    }
    uint64_t d0 = (uint64_t)d.v[0], d1 = (uint64_t)d.v[1], d2 = (uint64_t)d.v[2], d3 = (uint64_t)d.v[3],
             d4 = (uint64_t)d.v[4];
    out[0] = d0 | (d1 << 62);
    out[1] = (d1 >> 2) | (d2 << 60);
    out[2] = (d2 >> 4) | (d3 << 58);
    out[3] = (d3 >> 6) | (d4 << 56);
}

/* ------------------------------------------------------------------------ */
/* Portable Montgomery multiplication: CIOS with the "no final carry" variant
 * (valid because p's top limb is below 2^63 - 1, so the running sum fits in
 * four limbs plus a carry that never overflows). Inputs < p, output < p. */
static inline void mont_mul_port(uint64_t r[4], const uint64_t a[4], const uint64_t b[4]) {
    uint64_t t0 = 0, t1 = 0, t2 = 0, t3 = 0;
    for (int i = 0; i < 4; i++) {
        uint64_t bi = b[i], C, C2, m;
        u128 v, w;
        v = (u128)a[0] * bi + t0;
        C = (uint64_t)(v >> 64);
        t0 = (uint64_t)v;
        m = t0 * FP_INV;
        w = (u128)m * FP_P.l[0] + t0;
        C2 = (uint64_t)(w >> 64);
        v = (u128)a[1] * bi + t1 + C;
        C = (uint64_t)(v >> 64);
        t1 = (uint64_t)v;
        w = (u128)m * FP_P.l[1] + t1 + C2;
        C2 = (uint64_t)(w >> 64);
        t0 = (uint64_t)w;
        v = (u128)a[2] * bi + t2 + C;
        C = (uint64_t)(v >> 64);
        t2 = (uint64_t)v;
        w = (u128)m * FP_P.l[2] + t2 + C2;
        C2 = (uint64_t)(w >> 64);
        t1 = (uint64_t)w;
        v = (u128)a[3] * bi + t3 + C;
        C = (uint64_t)(v >> 64);
        t3 = (uint64_t)v;
        w = (u128)m * FP_P.l[3] + t3 + C2;
        C2 = (uint64_t)(w >> 64);
        t2 = (uint64_t)w;
        t3 = C + C2;
    }
    /* t < 2p: subtract p once if t >= p. */
    uint64_t d[4], borrow = 0;
    uint64_t t[4] = {t0, t1, t2, t3};
    for (int i = 0; i < 4; i++) d[i] = px_sbb(t[i], FP_P.l[i], borrow, &borrow);
    uint64_t mask = 0 - borrow;
    for (int i = 0; i < 4; i++) r[i] = (t[i] & mask) | (d[i] & ~mask);
}

#define N(name) name##_port
#define MONT_MUL mont_mul_port
#include "px_bn254_impl.h"
#undef N
#undef MONT_MUL

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#define PX_BN254_HAVE_ADX 1
/* ------------------------------------------------------------------------ */
/* mulx/adcx/adox Montgomery multiplication (operand scanning, interleaved
 * reduction). Per word b_i the product a*b_i is added with two independent
 * carry chains (CF through adcx for the low halves, OF through adox for the
 * high halves), then m = t0 * (-1/p) mod 2^64 and m*p is added the same way,
 * which zeroes the low word; the accumulator rotates through six registers.
 * The accumulator stays below 2p < 2^255 after each round, so no fifth carry
 * word is needed; one conditional subtraction ends the product. */
static const uint64_t px_bn254_inv_c = FP_INV;

#define PX_MULADD(bi, A1, A2, A3, A4, A5)             \
    "movq " bi ", %%rdx\n\t"                           \
    "xorl %k[z], %k[z]\n\t"                            \
    "mulxq 0(%[a]), %[lo], %[hi]\n\t"                  \
    "adcxq %[lo], %[" A1 "]\n\t"                       \
    "adoxq %[hi], %[" A2 "]\n\t"                       \
    "mulxq 8(%[a]), %[lo], %[hi]\n\t"                  \
    "adcxq %[lo], %[" A2 "]\n\t"                       \
    "adoxq %[hi], %[" A3 "]\n\t"                       \
    "mulxq 16(%[a]), %[lo], %[hi]\n\t"                 \
    "adcxq %[lo], %[" A3 "]\n\t"                       \
    "adoxq %[hi], %[" A4 "]\n\t"                       \
    "mulxq 24(%[a]), %[lo], %[" A5 "]\n\t"             \
    "adcxq %[lo], %[" A4 "]\n\t"                       \
    "adoxq %[z], %[" A5 "]\n\t"                        \
    "adcxq %[z], %[" A5 "]\n\t"

#define PX_REDUCE(A0, A1, A2, A3, A4)                  \
    "movq %[" A0 "], %%rdx\n\t"                        \
    "imulq %[inv], %%rdx\n\t"                          \
    "xorl %k[z], %k[z]\n\t"                            \
    "mulxq %[p0], %[lo], %[hi]\n\t"                    \
    "adcxq %[lo], %[" A0 "]\n\t"                       \
    "adoxq %[hi], %[" A1 "]\n\t"                       \
    "mulxq %[p1], %[lo], %[hi]\n\t"                    \
    "adcxq %[lo], %[" A1 "]\n\t"                       \
    "adoxq %[hi], %[" A2 "]\n\t"                       \
    "mulxq %[p2], %[lo], %[hi]\n\t"                    \
    "adcxq %[lo], %[" A2 "]\n\t"                       \
    "adoxq %[hi], %[" A3 "]\n\t"                       \
    "mulxq %[p3], %[lo], %[hi]\n\t"                    \
    "adcxq %[lo], %[" A3 "]\n\t"                       \
    "adoxq %[hi], %[" A4 "]\n\t"                       \
    "adcxq %[z], %[" A4 "]\n\t"

__attribute__((target("bmi2,adx"))) static inline void mont_mul_adx(uint64_t r[4], const uint64_t a[4],
                                                                  const uint64_t b[4]) {
    uint64_t r0, r1, r2, r3, r4, r5, lo, hi, z;
    __asm__(
        /* round 0: t = a * b0 */
        "movq 0(%[b]), %%rdx\n\t"
        "mulxq 0(%[a]), %[r0], %[r1]\n\t"
        "mulxq 8(%[a]), %[lo], %[r2]\n\t"
        "addq %[lo], %[r1]\n\t"
        "mulxq 16(%[a]), %[lo], %[r3]\n\t"
        "adcq %[lo], %[r2]\n\t"
        "mulxq 24(%[a]), %[lo], %[r4]\n\t"
        "adcq %[lo], %[r3]\n\t"
        "adcq $0, %[r4]\n\t"
        PX_REDUCE("r0", "r1", "r2", "r3", "r4")
        PX_MULADD("8(%[b])", "r1", "r2", "r3", "r4", "r5")
        PX_REDUCE("r1", "r2", "r3", "r4", "r5")
        PX_MULADD("16(%[b])", "r2", "r3", "r4", "r5", "r0")
        PX_REDUCE("r2", "r3", "r4", "r5", "r0")
        PX_MULADD("24(%[b])", "r3", "r4", "r5", "r0", "r1")
        PX_REDUCE("r3", "r4", "r5", "r0", "r1")
        /* t = (r4, r5, r0, r1) < 2p: t - p unless that borrows */
        "movq %[r4], %[lo]\n\t"
        "subq %[p0], %[lo]\n\t"
        "movq %[r5], %[hi]\n\t"
        "sbbq %[p1], %[hi]\n\t"
        "movq %[r0], %[r2]\n\t"
        "sbbq %[p2], %[r2]\n\t"
        "movq %[r1], %[r3]\n\t"
        "sbbq %[p3], %[r3]\n\t"
        "cmovncq %[lo], %[r4]\n\t"
        "cmovncq %[hi], %[r5]\n\t"
        "cmovncq %[r2], %[r0]\n\t"
        "cmovncq %[r3], %[r1]\n\t"
        : [r0] "=&r"(r0), [r1] "=&r"(r1), [r2] "=&r"(r2), [r3] "=&r"(r3), [r4] "=&r"(r4), [r5] "=&r"(r5),
          [lo] "=&r"(lo), [hi] "=&r"(hi), [z] "=&r"(z)
        : [a] "r"(a), [b] "r"(b),
          [p0] "m"(FP_P.l[0]), [p1] "m"(FP_P.l[1]), [p2] "m"(FP_P.l[2]), [p3] "m"(FP_P.l[3]),
          [inv] "m"(px_bn254_inv_c)
        : "rdx", "cc", "memory");
    r[0] = r4;
    r[1] = r5;
    r[2] = r0;
    r[3] = r1;
}

#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("bmi2,adx"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("bmi2,adx")
#endif
#define N(name) name##_adx
#define MONT_MUL mont_mul_adx
#include "px_bn254_impl.h"
#undef N
#undef MONT_MUL
#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif
#endif /* x86_64 */

/* ------------------------------------------------------------------------ */
/* Dispatch. */

static int px_bn254_use_adx(void) {
#ifdef PX_BN254_HAVE_ADX
    uint32_t need = px_cpu_bmi2 | px_cpu_adx;
    return (px_cpu_features() & need) == need;
#else
    return 0;
#endif
}

int px_bn254_add(const uint8_t in[128], uint8_t out[64]) {
#ifdef PX_BN254_HAVE_ADX
    if (px_bn254_use_adx()) return bn254_add_adx(in, out);
#endif
    return bn254_add_port(in, out);
}

int px_bn254_mul(const uint8_t in[96], uint8_t out[64]) {
#ifdef PX_BN254_HAVE_ADX
    if (px_bn254_use_adx()) return bn254_mul_adx(in, out);
#endif
    return bn254_mul_port(in, out);
}

int px_bn254_pairing_check(const uint8_t *in, size_t len, int *result) {
    *result = 0;
#ifdef PX_BN254_HAVE_ADX
    if (px_bn254_use_adx()) return bn254_pairing_check_adx(in, len, result, 1);
#endif
    return bn254_pairing_check_port(in, len, result, 1);
}

int px_bn254_pairing_check_slow_subgroup(const uint8_t *in, size_t len, int *result) {
    *result = 0;
#ifdef PX_BN254_HAVE_ADX
    if (px_bn254_use_adx()) return bn254_pairing_check_adx(in, len, result, 2);
#endif
    return bn254_pairing_check_port(in, len, result, 2);
}

int px_bn254_g2_check(const uint8_t in[128], int slow) {
    g2_affine q;
#ifdef PX_BN254_HAVE_ADX
    if (px_bn254_use_adx()) return g2_decode_adx(&q, in, slow ? 2 : 1);
#endif
    return g2_decode_port(&q, in, slow ? 2 : 1);
}

int px_bn254_selftest(uint64_t seed, int iterations) {
#ifdef PX_BN254_HAVE_ADX
    if (px_bn254_use_adx()) return selftest_adx(seed, iterations);
#endif
    return selftest_port(seed, iterations);
}
