/*
 * CParallaxHash — batched Keccak-256, SHA3-256 and SHA-256 kernels with
 * runtime SIMD dispatch on CParallaxCore's CPU features. Links no library.
 */
#ifndef CPARALLAX_HASH_H
#define CPARALLAX_HASH_H

#include "px_hash.h"

#endif /* CPARALLAX_HASH_H */
