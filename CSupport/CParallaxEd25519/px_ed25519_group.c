/*
 * Curve constants, point decoding and encoding for edwards25519 (RFC 8032 §5.1.3).
 *
 * The constants are derived at first use from their definitions instead of being
 * transcribed: d = -121665/121666, sqrt(-1) = 2^((p-1)/4), B decoded from its
 * RFC 8032 encoding, the small-order y-coordinates from an order-8 point found as
 * [L]Q for a curve point Q, and the odd multiples of B for the width-8 NAF.
 * px_ed25519_constants_get is thread-safe (pthread_once) and cheap after the first call.
 */
#include "px_ed25519_group.h"
#include "px_ed25519_scalar.h"

#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

static px_ed25519_constants constants;
static pthread_once_t constants_once = PTHREAD_ONCE_INIT;

static void fe_from_u64(px_fe *h, uint64_t x) {
    px_fe_zero(h);
    h->v[0] = x & PX_FE_MASK51;
    h->v[1] = x >> 51;
}

/* Square-and-multiply with a little-endian exponent; used once at start-up. */
static void fe_pow(px_fe *out, const px_fe *z, const uint8_t e[32]) {
    px_fe r;
    px_fe_one(&r);
    for (int i = 255; i >= 0; i--) {
        px_fe_sq(&r, &r);
        if ((e[i / 8] >> (i % 8)) & 1) px_fe_mul(&r, &r, z);
    }
    *out = r;
}

int px_ge_is_canonical_encoding(const uint8_t s[32]) {
    /* y >= p iff the low 255 bits lie in [2^255 - 19, 2^255). */
    if ((s[31] & 0x7f) != 0x7f) return 1;
    for (int i = 30; i > 0; i--) {
        if (s[i] != 0xff) return 1;
    }
    return s[0] < 0xed;
}

/* Decoding, split around its one exponentiation so that batches can compute
 * many exponentiations at once (px_fe_pow_p58_many). */
static void decode_begin_with(px_ge_decoding *dec, px_fe *w, const uint8_t s[32], const px_fe *d) {
    px_fe y2, one, v7;
    px_fe_one(&one);
    px_fe_frombytes(&dec->y, s);
    px_fe_sq(&y2, &dec->y);
    px_fe_sub(&dec->u, &y2, &one);     /* u = y^2 - 1 */
    px_fe_carry(&dec->u);
    px_fe_mul(&dec->v, &y2, d);
    px_fe_add(&dec->v, &dec->v, &one); /* v = d y^2 + 1 */
    px_fe_sq(&dec->v3, &dec->v);
    px_fe_mul(&dec->v3, &dec->v3, &dec->v); /* v^3 */
    px_fe_sq(&v7, &dec->v3);
    px_fe_mul(&v7, &v7, &dec->v);      /* v^7 */
    px_fe_mul(w, &v7, &dec->u);        /* w = u v^7 */
}

static int decode_finish_with(px_ge *r, const px_ge_decoding *dec, const px_fe *w_pow,
                              const uint8_t s[32], int negate, const px_fe *sqrt_m1) {
    px_fe x, vxx, y;
    px_fe_mul(&x, w_pow, &dec->v3);
    px_fe_mul(&x, &x, &dec->u);        /* candidate x = u v^3 (u v^7)^((p-5)/8) */
    px_fe_sq(&vxx, &x);
    px_fe_mul(&vxx, &vxx, &dec->v);
    if (!px_fe_equal(&vxx, &dec->u)) {
        px_fe neg_u;
        px_fe_neg(&neg_u, &dec->u);
        if (!px_fe_equal(&vxx, &neg_u)) return -1;
        px_fe_mul(&x, &x, sqrt_m1);
    }
    int sign = s[31] >> 7;
    if (px_fe_is_zero(&x) && sign) return -1;
    if (px_fe_is_negative(&x) != (sign ^ (negate != 0))) px_fe_neg(&x, &x);
    y = dec->y;
    px_fe_carry(&y);
    r->X = x;
    r->Y = y;
    px_fe_one(&r->Z);
    px_fe_mul(&r->T, &x, &y);
    return 0;
}

static int decode_with(px_ge *r, const uint8_t s[32], int negate, const px_fe *d,
                       const px_fe *sqrt_m1) {
    px_ge_decoding dec;
    px_fe w;
    decode_begin_with(&dec, &w, s, d);
    px_fe_pow_p58(&w, &w);
    return decode_finish_with(r, &dec, &w, s, negate, sqrt_m1);
}

void px_ge_decode_begin(px_ge_decoding *dec, px_fe *w, const uint8_t s[32]) {
    decode_begin_with(dec, w, s, &px_ed25519_constants_get()->d);
}

int px_ge_decode_finish(px_ge *r, const px_ge_decoding *dec, const px_fe *w_pow,
                        const uint8_t s[32], int negate) {
    return decode_finish_with(r, dec, w_pow, s, negate, &px_ed25519_constants_get()->sqrt_m1);
}

int px_ge_decode(px_ge *r, const uint8_t s[32], int negate) {
    const px_ed25519_constants *k = px_ed25519_constants_get();
    return decode_with(r, s, negate, &k->d, &k->sqrt_m1);
}

void px_ge_encode(uint8_t s[32], const px_ge *p) {
    px_fe zinv, x, y;
    px_fe_invert(&zinv, &p->Z);
    px_fe_mul(&x, &p->X, &zinv);
    px_fe_mul(&y, &p->Y, &zinv);
    px_fe_tobytes(s, &y);
    s[31] |= (uint8_t)(px_fe_is_negative(&x) << 7);
}

/* Reads constants.d2 directly: start-up code calls this while the constants are
 * being computed (d2 first), inside pthread_once. */
void px_ge_add_points(px_ge *r, const px_ge *p, const px_ge *q) {
    px_ge_cached qc;
    px_ge_completed t;
    px_ge_to_cached(&qc, q, &constants.d2);
    px_ge_add_cached(&t, p, &qc);
    px_ge_from_completed(r, &t);
}

void px_ge_double_point(px_ge *r, const px_ge *p) {
    px_ge_completed t;
    px_ge_double(&t, p);
    px_ge_from_completed(r, &t);
}

/* Double-and-add, variable time; for start-up and tests only. */
void px_ge_scalarmult_slow(px_ge *r, const px_ge *p, const uint8_t e[32]) {
    px_ge acc;
    px_ge_identity(&acc);
    for (int i = 255; i >= 0; i--) {
        px_ge_double_point(&acc, &acc);
        if ((e[i / 8] >> (i % 8)) & 1) px_ge_add_points(&acc, &acc, p);
    }
    *r = acc;
}

static void to_affine_cached(px_ge_affine_cached *r, const px_ge *p, const px_fe *d2) {
    px_fe zinv, x, y, xy;
    px_fe_invert(&zinv, &p->Z);
    px_fe_mul(&x, &p->X, &zinv);
    px_fe_mul(&y, &p->Y, &zinv);
    px_fe_add(&r->yplusx, &y, &x);
    px_fe_sub(&r->yminusx, &y, &x);
    px_fe_mul(&xy, &x, &y);
    px_fe_mul(&r->xy2d, &xy, d2);
}

static const uint8_t L_bytes[32] = {
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
};

static void init_constants(void) {
    px_ed25519_constants *k = &constants;
    /* The verifier uses libsodium's SHA-512 and ChaCha20; sodium_init picks their
     * fastest implementations and is idempotent. */
    if (sodium_init() < 0) abort();
    px_fe a, b, binv;
    fe_from_u64(&a, 121665);
    fe_from_u64(&b, 121666);
    px_fe_invert(&binv, &b);
    px_fe_mul(&a, &a, &binv);
    px_fe_neg(&k->d, &a);
    px_fe_add(&k->d2, &k->d, &k->d);
    px_fe_carry(&k->d2);

    /* (p - 1) / 4 = 2^253 - 5. */
    uint8_t e[32];
    memset(e, 0xff, 32);
    e[0] = 0xfb;
    e[31] = 0x1f;
    px_fe two;
    fe_from_u64(&two, 2);
    fe_pow(&k->sqrt_m1, &two, e);

    /* B: y = 4/5, x even. */
    uint8_t base_enc[32];
    memset(base_enc, 0x66, 32);
    base_enc[0] = 0x58;
    decode_with(&k->base, base_enc, 0, &k->d, &k->sqrt_m1);

    /* An order-8 point: [L]Q for the first decodable y = 2, 3, ... whose
     * torsion component has order 8 ([4][L]Q != identity). */
    px_ge t8;
    for (uint8_t y = 2;; y++) {
        uint8_t enc[32] = { y };
        px_ge q;
        if (decode_with(&q, enc, 0, &k->d, &k->sqrt_m1) != 0) continue;
        px_ge_scalarmult_slow(&t8, &q, L_bytes);
        px_ge t4 = t8;
        px_ge_double_point(&t4, &t4);
        px_ge_double_point(&t4, &t4);
        if (!px_ge_is_identity(&t4)) break;
    }
    /* y of the small-order points: 1 (identity), p-1 (order 2), 0 (order 4),
     * y8 and p - y8 (order 8). */
    px_fe y_values[5];
    px_fe_one(&y_values[0]);
    px_fe_neg(&y_values[1], &y_values[0]);
    px_fe_zero(&y_values[2]);
    uint8_t t8_enc[32];
    px_ge_encode(t8_enc, &t8);
    t8_enc[31] &= 0x7f;
    px_fe_frombytes(&y_values[3], t8_enc);
    px_fe_neg(&y_values[4], &y_values[3]);
    for (int i = 0; i < 5; i++) px_fe_tobytes(k->small_order_y[i], &y_values[i]);
    k->torsion8 = t8;

    /* Odd multiples of B. */
    px_ge b2, cur = k->base;
    px_ge_double_point(&b2, &k->base);
    for (int i = 0; i < 64; i++) {
        to_affine_cached(&k->base_odd[i], &cur, &k->d2);
        px_ge_add_points(&cur, &cur, &b2);
    }
}

const px_ed25519_constants *px_ed25519_constants_get(void) {
    pthread_once(&constants_once, init_constants);
    return &constants;
}

int px_ge_has_small_order_encoding(const uint8_t s[32]) {
    const px_ed25519_constants *k = px_ed25519_constants_get();
    uint8_t y[32];
    memcpy(y, s, 32);
    y[31] &= 0x7f;
    for (int i = 0; i < 5; i++) {
        if (memcmp(y, k->small_order_y[i], 32) == 0) return 1;
    }
    return 0;
}
