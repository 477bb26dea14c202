/*
 * px_modexp.h — EIP-198 modular exponentiation on GMP.
 */
#ifndef PX_MODEXP_H
#define PX_MODEXP_H

#include <stddef.h>
#include <stdint.h>

/* out[0..mod_len) = base^exp mod modulus, big-endian, left-padded with zeros
 * to mod_len bytes. All operands are big-endian byte strings of the given
 * lengths (a length may be 0: the value 0). A zero modulus gives all zeros
 * (EIP-198). Returns 0 (GMP aborts the process if it cannot allocate). */
int px_modexp(const uint8_t *base, size_t base_len,
              const uint8_t *exp, size_t exp_len,
              const uint8_t *mod, size_t mod_len,
              uint8_t *out);

#endif
