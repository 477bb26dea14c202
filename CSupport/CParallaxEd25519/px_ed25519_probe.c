/*
 * Byte-level entry points into the Ed25519 arithmetic, for tests: they let the
 * Swift tests compare the scalar reduction with libsodium's and the IFMA
 * exponentiation with the portable one on chosen edge values. Nothing on the
 * verification path calls them.
 */
#include "px_ed25519.h"
#include "px_ed25519_group.h"
#include "px_ed25519_scalar.h"

#include <stdlib.h>
#include <string.h>

void px_ed25519_probe_scalar_reduce(uint8_t out[32], const uint8_t in[64]) {
    px_sc r;
    px_sc_reduce512(&r, in);
    memcpy(out, r.v, 32);
}

void px_ed25519_probe_scalar_mul(uint8_t out[32], const uint8_t a[32], const uint8_t b[32]) {
    px_sc x, y, r;
    px_sc_from_bytes(&x, a);
    px_sc_from_bytes(&y, b);
    px_sc_mul(&r, &x, &y);
    memcpy(out, r.v, 32);
}

void px_ed25519_probe_field_mul(uint8_t out[32], const uint8_t a[32], const uint8_t b[32]) {
    px_fe x, y, r;
    px_fe_frombytes(&x, a);
    px_fe_frombytes(&y, b);
    px_fe_mul(&r, &x, &y);
    px_fe_tobytes(out, &r);
}

int px_ed25519_probe_field_pow_p58(uint8_t *out, const uint8_t *in, size_t count, uint32_t features) {
    px_fe *values = malloc(count * sizeof(px_fe) + 1);
    if (values == NULL) return -1;
    for (size_t i = 0; i < count; i++) px_fe_frombytes(&values[i], in + 32 * i);
    px_fe_pow_p58_many(values, values, count, features);
    for (size_t i = 0; i < count; i++) px_fe_tobytes(out + 32 * i, &values[i]);
    free(values);
    return 0;
}
