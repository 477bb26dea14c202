/*
 * px_modexp.c — EIP-198 modular exponentiation on GMP.
 *
 * The EVM layer has already charged the EIP-2565 (or EIP-198) price, which
 * grows with the modulus length squared and the exponent's bit length, so
 * the work done here is paid for. mpz_powm uses sliding windows over
 * Montgomery (odd modulus) or plain (even modulus) reduction; the result is
 * the same for every modulus GMP accepts, and the modulus 0 (which GMP
 * rejects) gives 0 by EIP-198's rule, the modulus 1 gives 0 as arithmetic does.
 */
#include "px_modexp.h"

#include <gmp.h>
#include <string.h>

int px_modexp(const uint8_t *base, size_t base_len,
              const uint8_t *exp, size_t exp_len,
              const uint8_t *mod, size_t mod_len,
              uint8_t *out) {
    if (mod_len == 0) return 0;
    memset(out, 0, mod_len);
    mpz_t b, e, m, r;
    mpz_inits(b, e, m, r, NULL);
    /* order 1: most significant word first; size 1: bytes; endian 0: native. */
    mpz_import(m, mod_len, 1, 1, 0, 0, mod);
    if (mpz_sgn(m) != 0) {
        mpz_import(b, base_len, 1, 1, 0, 0, base);
        mpz_import(e, exp_len, 1, 1, 0, 0, exp);
        mpz_powm(r, b, e, m);
        size_t bytes = (mpz_sizeinbase(r, 2) + 7) / 8;
        if (mpz_sgn(r) != 0 && bytes <= mod_len) {
            size_t written = 0;
            mpz_export(out + (mod_len - bytes), &written, 1, 1, 0, 0, r);
        }
    }
    mpz_clears(b, e, m, r, NULL);
    return 0;
}
