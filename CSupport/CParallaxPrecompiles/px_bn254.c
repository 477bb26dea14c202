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
static inline uint64_t px_adc(uint64_t a, uint64_t b, uint64_t cin, uint64_t *cout) {
#if defined(__clang__) && __has_builtin(__builtin_addcll)
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
#if defined(__clang__) && __has_builtin(__builtin_subcll)
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
        : [a] "r"(a), [b] "r"(b), "m"(*(const uint64_t(*)[4])a), "m"(*(const uint64_t(*)[4])b),
          [p0] "m"(FP_P.l[0]), [p1] "m"(FP_P.l[1]), [p2] "m"(FP_P.l[2]), [p3] "m"(FP_P.l[3]),
          [inv] "m"(px_bn254_inv_c)
        : "rdx", "cc");
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
