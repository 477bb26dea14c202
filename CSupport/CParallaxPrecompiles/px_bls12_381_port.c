/*
 * px_bls12_381_port.c — the portable build of the BLS12-381 KZG check:
 * Montgomery products on unsigned __int128 (see px_bls12_381_impl.h).
 */
#define PX_BLS12_381_ADX 0
#include "px_bls12_381_impl.h"

int px_bls12_381_kzg_verify_portable(const uint8_t commitment[48], const uint8_t z[32],
                                     const uint8_t y[32], const uint8_t proof[48], int *valid) {
    return kzg_verify(commitment, z, y, proof, valid);
}
