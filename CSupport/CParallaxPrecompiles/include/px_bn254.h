/*
 * px_bn254.h — EIP-196/197: the alt_bn128 (bn254) curve, G1 addition and
 * scalar multiplication, and the optimal-ate pairing check.
 *
 * Encodings are the EIPs': a field element is 32 bytes big-endian and must be
 * below p; G1 is (x, y) with (0, 0) the point at infinity; G2 is
 * (x_im, x_re, y_im, y_re) with (0, 0, 0, 0) the point at infinity.
 * Every function returns 0 on success and a negative px_bn254_status
 * otherwise (the precompile then fails and consumes all its gas).
 */
#ifndef PX_BN254_H
#define PX_BN254_H

#include <stddef.h>
#include <stdint.h>

typedef enum px_bn254_status {
    px_bn254_ok = 0,
    px_bn254_not_canonical = -1, /* a coordinate >= p */
    px_bn254_not_on_curve = -2,
    px_bn254_not_in_subgroup = -3, /* G2 only: not of order r */
    px_bn254_bad_length = -4,
} px_bn254_status;

/* in: 128 bytes, two G1 points (the caller zero-pads shorter input). out: 64 bytes. */
int px_bn254_add(const uint8_t in[128], uint8_t out[64]);
/* in: 96 bytes, a G1 point and a 32-byte big-endian scalar (any value). out: 64 bytes. */
int px_bn254_mul(const uint8_t in[96], uint8_t out[64]);
/* in: k * 192 bytes (k >= 0, len a multiple of 192, else bad_length): k pairs
 * (G1, G2). *result = 1 when the product of the pairings is one (k = 0 gives 1). */
int px_bn254_pairing_check(const uint8_t *in, size_t len, int *result);

/* Test hooks (not used by the EVM). The same pairing check with the G2
 * subgroup tested by [r]Q = 0 instead of the psi-based criterion. */
int px_bn254_pairing_check_slow_subgroup(const uint8_t *in, size_t len, int *result);
/* Decodes one G2 point (128 bytes) with the full validity rules; slow != 0
 * selects the [r]Q = 0 subgroup test. Returns a px_bn254_status. */
int px_bn254_g2_check(const uint8_t in[128], int slow);
/* Internal consistency checks on random field and tower elements (inversion
 * against Fermat, squarings against products, Frobenius maps, the sparse line
 * product, cyclotomic squaring); 0 when all pass, else the failing check. */
int px_bn254_selftest(uint64_t seed, int iterations);

#endif
