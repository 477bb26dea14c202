/*
 * px_ed25519_group.h — decoding, encoding and slow generic operations on
 * edwards25519 points (private to the shim); see px_ed25519_group.c.
 */
#ifndef PX_ED25519_GROUP_H
#define PX_ED25519_GROUP_H

#include "px_ed25519_point.h"

#include <stddef.h>

/* 1 iff the y-coordinate (bit 255 ignored) is below p. */
int px_ge_is_canonical_encoding(const uint8_t s[32]);
/* 1 iff y (bit 255 ignored) is the y of one of the eight small-order points;
 * for canonical encodings these are exactly the points P with [8]P = 0. */
int px_ge_has_small_order_encoding(const uint8_t s[32]);
/* Decodes (or decodes and negates) a canonical encoding; -1 if no point has it
 * (x^2 not a square, or x = 0 with the sign bit set). */
int px_ge_decode(px_ge *r, const uint8_t s[32], int negate);
/* The same decoding in two halves around w^((p-5)/8), w = u v^7, so that a
 * batch can compute its exponentiations together (px_fe_pow_p58_many). The
 * encoding must be canonical. */
typedef struct px_ge_decoding { px_fe y, u, v, v3; } px_ge_decoding;
void px_ge_decode_begin(px_ge_decoding *dec, px_fe *w, const uint8_t s[32]);
int px_ge_decode_finish(px_ge *r, const px_ge_decoding *dec, const px_fe *w_pow,
                        const uint8_t s[32], int negate);
/* out[i] = in[i]^((p-5)/8) for i < n; 16 lanes at a time with AVX-512 IFMA
 * where `features` (px_cpu_feature bits) has it, else 8 at a time with AVX2
 * where it has that, one at a time otherwise. */
void px_fe_pow_p58_many(px_fe *out, const px_fe *in, size_t n, uint32_t features);
/* The AVX2 part of px_fe_pow_p58_many (px_ed25519_avx2.c): computes a prefix
 * of the n elements eight lanes at a time and returns its length (AVX2
 * required; the caller finishes the rest with scalar code). */
size_t px_fe_pow_p58_many_avx2(px_fe *out, const px_fe *in, size_t n);
void px_ge_encode(uint8_t s[32], const px_ge *p);
void px_ge_add_points(px_ge *r, const px_ge *p, const px_ge *q);
void px_ge_double_point(px_ge *r, const px_ge *p);
void px_ge_scalarmult_slow(px_ge *r, const px_ge *p, const uint8_t e[32]);

#endif /* PX_ED25519_GROUP_H */
