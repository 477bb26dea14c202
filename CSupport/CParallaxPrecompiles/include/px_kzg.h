/*
 * px_kzg.h — EIP-4844 point evaluation on BLS12-381.
 */
#ifndef PX_KZG_H
#define PX_KZG_H

#include <stdint.h>

typedef enum px_kzg_status {
    px_kzg_ok = 0,
    px_kzg_bad_field_element = -1, /* z or y >= the BLS12-381 scalar modulus */
    px_kzg_bad_point = -2,         /* a commitment or proof that is not a valid compressed G1 point in the subgroup */
} px_kzg_status;

/* Verifies the KZG proof that the polynomial committed to by `commitment`
 * (48-byte compressed G1) takes the value y at z (32-byte big-endian scalars):
 * e(C - y*G1, G2) == e(proof, [tau]G2 - z*G2) with the mainnet trusted
 * setup's [tau]G2. Returns px_kzg_ok with *valid = 1 or 0, or a negative status. */
int px_kzg_verify_proof(const uint8_t commitment[48], const uint8_t z[32], const uint8_t y[32],
                        const uint8_t proof[48], int *valid);

#endif
