/*
 * px_bls12_381.h — internal: BLS12-381 types, the generated constant tables
 * (px_bls12_381_tables.c) and the two compiled variants of the KZG check.
 *
 * The arithmetic lives in px_bls12_381_impl.h, which is compiled twice: once
 * portable (px_bls12_381_port.c, unsigned __int128 products) and once for
 * BMI2+ADX (px_bls12_381_adx.c, mulx/adcx/adox Montgomery multiplication);
 * px_kzg.c picks one at run time with px_cpu_features().
 */
#ifndef PX_BLS12_381_H
#define PX_BLS12_381_H

#include <stdint.h>

/* An element of Fp, p the 381-bit BLS12-381 prime, in Montgomery form
 * a*2^384 mod p, fully reduced, 6 little-endian 64-bit limbs. */
typedef struct px_bls12_381_fp {
    uint64_t v[6];
} px_bls12_381_fp;

/* Fp2 = Fp[u]/(u^2 + 1): c0 + c1*u. */
typedef struct px_bls12_381_fp2 {
    px_bls12_381_fp c0, c1;
} px_bls12_381_fp2;

/* Frobenius coefficients gamma_{1,i} = xi^(i(p-1)/6) and gamma_{2,i} = xi^(i(p^2-1)/6),
 * i = 1..5, xi = 1 + u. */
extern const px_bls12_381_fp2 px_bls12_381_frob1[5];
extern const px_bls12_381_fp px_bls12_381_frob2[5];
/* The cube root of unity with (beta*x, y) = [-x^2](x, y) on G1. */
extern const px_bls12_381_fp px_bls12_381_beta;
/* [k]G1 for k = 1..15, affine (x, y). */
extern const px_bls12_381_fp px_bls12_381_g1_table[15][2];
/* Affine Miller-loop lines (a, b) of the fixed G2 points -G2 ([0]) and
 * [tau]G2 ([1]) of the KZG check, 68 per point in loop order. */
#define PX_BLS12_381_LINES 68
extern const px_bls12_381_fp2 px_bls12_381_lines[2][PX_BLS12_381_LINES][2];

/* The KZG point-evaluation check (see px_kzg.h for the contract). */
int px_bls12_381_kzg_verify_portable(const uint8_t commitment[48], const uint8_t z[32],
                                     const uint8_t y[32], const uint8_t proof[48], int *valid);
#if defined(__x86_64__)
#define PX_BLS12_381_HAVE_ADX 1
int px_bls12_381_kzg_verify_adx(const uint8_t commitment[48], const uint8_t z[32],
                                const uint8_t y[32], const uint8_t proof[48], int *valid);
#endif

#endif /* PX_BLS12_381_H */
