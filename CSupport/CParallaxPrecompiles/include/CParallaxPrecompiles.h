/*
 * CParallaxPrecompiles — the arithmetic of the EVM precompiles 0x05-0x0a:
 * modexp on GMP, the bn254 (alt_bn128) curve and pairing, the BLAKE2b
 * compression function, BLS12-381 and the KZG point-evaluation check.
 * Byte-in, byte-out: the EVM layer (ParallaxEVM/Precompiles.swift) owns the
 * gas rules and the input lengths; these functions own the cryptography and
 * reject every malformed encoding with a status, never a crash.
 */
#ifndef C_PARALLAX_PRECOMPILES_H
#define C_PARALLAX_PRECOMPILES_H

#include "px_modexp.h"
#include "px_blake2f.h"
#include "px_bn254.h"
#include "px_kzg.h"

#endif
