/*
 * CParallaxEd25519 — single and batched Ed25519 verification with runtime
 * AVX-512 IFMA dispatch on CParallaxCore's CPU features. Links libsodium, for
 * the SHA-512 of the challenge and the ChaCha20 of the batch coefficients.
 */
#ifndef CPARALLAX_ED25519_H
#define CPARALLAX_ED25519_H

#include "px_ed25519.h"

#endif /* CPARALLAX_ED25519_H */
