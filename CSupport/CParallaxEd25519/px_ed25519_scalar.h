/*
 * px_ed25519_scalar.h — integers modulo the group order L = 2^252 + c (private).
 *
 * c = 27742317777372353535851937790883648493 (125 bits). Scalars are four
 * little-endian 64-bit limbs. Reduction folds with 2^252 = -c (mod L) twice,
 * keeping every intermediate non-negative by adding L before a subtraction,
 * then subtracts L at most twice. Signed-digit recoding (width-w NAF) feeds the
 * multi-scalar multiplication.
 *
 * Invariants: px_sc_reduce512 accepts any 512-bit input; px_sc_mul accepts
 * operands < 2^256; outputs are always < L.
 */
#ifndef PX_ED25519_SCALAR_H
#define PX_ED25519_SCALAR_H

#include <stdint.h>

typedef struct px_sc { uint64_t v[4]; } px_sc;

/* 1 iff the little-endian 32 bytes encode an integer < L. */
int px_sc_is_canonical(const uint8_t s[32]);
void px_sc_from_bytes(px_sc *r, const uint8_t s[32]); /* no reduction */
void px_sc_reduce512(px_sc *r, const uint8_t s[64]);
void px_sc_mul(px_sc *r, const px_sc *a, const px_sc *b);
void px_sc_add(px_sc *r, const px_sc *a, const px_sc *b); /* a, b < L */
/* Width-w NAF of s < 2^255: digits odd, |digit| < 2^(w-1), nonzero digits at
 * least w apart. Returns one more than the index of the top nonzero digit. */
int px_sc_naf(int8_t naf[256], const px_sc *s, int w);

#endif /* PX_ED25519_SCALAR_H */
