/*
 * px_blake2f.h — EIP-152: the BLAKE2b compression function F.
 */
#ifndef PX_BLAKE2F_H
#define PX_BLAKE2F_H

#include <stdint.h>

/* input: exactly 213 bytes = rounds (4, big-endian) || h (64) || m (128) ||
 * t (16) || f (1), the words of h, m, t little-endian. Writes the new h
 * (64 bytes) to out. Returns 0, or -1 when f is neither 0 nor 1. */
int px_blake2f(const uint8_t input[213], uint8_t out[64]);

#endif
