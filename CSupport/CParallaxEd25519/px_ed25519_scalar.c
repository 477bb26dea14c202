/* Scalars modulo L: see px_ed25519_scalar.h. */
#include "px_ed25519_scalar.h"

#include <string.h>

typedef unsigned __int128 u128;

static const uint64_t L_limbs[4] = {
    0x5812631a5cf5d3edull, 0x14def9dea2f79cd6ull, 0, 0x1000000000000000ull,
};
static const uint64_t C_limbs[2] = { 0x5812631a5cf5d3edull, 0x14def9dea2f79cd6ull };
#define LOW252 0x0FFFFFFFFFFFFFFFull

_Static_assert(sizeof(px_sc) == 32, "a scalar is four 64-bit limbs");

/* r[0..na+nb) = a * b. */
static void mul_limbs(uint64_t *r, const uint64_t *a, int na, const uint64_t *b, int nb) {
    memset(r, 0, sizeof(uint64_t) * (size_t)(na + nb));
    for (int i = 0; i < na; i++) {
        uint64_t carry = 0;
        for (int j = 0; j < nb; j++) {
            u128 t = (u128)a[i] * b[j] + r[i + j] + carry;
            r[i + j] = (uint64_t)t;
            carry = (uint64_t)(t >> 64);
        }
        r[i + nb] = carry;
    }
}

/* hi = x >> 252 (n limbs in, n - 3 limbs out); lo = x mod 2^252. */
static void split252(uint64_t lo[4], uint64_t *hi, const uint64_t *x, int n) {
    lo[0] = x[0]; lo[1] = x[1]; lo[2] = x[2]; lo[3] = x[3] & LOW252;
    for (int i = 0; i < n - 3; i++) {
        uint64_t next = (i + 4 < n) ? x[i + 4] : 0;
        hi[i] = (x[i + 3] >> 60) | (next << 4);
    }
}

/* r (5 limbs) += a (n limbs). */
static void add_into(uint64_t r[5], const uint64_t *a, int n) {
    u128 carry = 0;
    for (int i = 0; i < 5; i++) {
        carry += (u128)r[i] + (i < n ? a[i] : 0);
        r[i] = (uint64_t)carry;
        carry >>= 64;
    }
}

/* r (5 limbs) -= a (n limbs); the caller guarantees r >= a. */
static void sub_from(uint64_t r[5], const uint64_t *a, int n) {
    uint64_t borrow = 0;
    for (int i = 0; i < 5; i++) {
        uint64_t ai = i < n ? a[i] : 0;
        u128 t = (u128)r[i] - ai - borrow;
        r[i] = (uint64_t)t;
        borrow = (uint64_t)(t >> 64) & 1;
    }
}

static int geq_L(const uint64_t r[5]) {
    if (r[4]) return 1;
    for (int i = 3; i >= 0; i--) {
        if (r[i] != L_limbs[i]) return r[i] > L_limbs[i];
    }
    return 1;
}

/* x has 8 limbs (any 512-bit value). */
static void reduce_limbs(px_sc *r, const uint64_t x[8]) {
    uint64_t x0[4], x1[5], y[7], y0[4], y1[4], z[5], w[5], w0[4], w1[2], cw[4];
    split252(x0, x1, x, 8);               /* x1 < 2^260 */
    mul_limbs(y, C_limbs, 2, x1, 5);      /* y = c x1 < 2^385 */
    split252(y0, y1, y, 7);               /* y1 < 2^133: 4 limbs, top ones zero */
    mul_limbs(z, C_limbs, 2, y1, 3);      /* z = c y1 < 2^258 */
    /* x = x0 - y0 + z (mod L); w = x0 + (L - y0) + z stays non-negative. */
    memset(w, 0, sizeof w);
    memcpy(w, L_limbs, sizeof L_limbs);
    sub_from(w, y0, 4);
    add_into(w, x0, 4);
    add_into(w, z, 5);                    /* w < 2^259 */
    split252(w0, w1, w, 5);               /* w1 < 2^7 */
    mul_limbs(cw, C_limbs, 2, w1, 2);     /* c w1 < 2^132 */
    uint64_t v[5] = { w0[0], w0[1], w0[2], w0[3], 0 };
    add_into(v, L_limbs, 4);
    sub_from(v, cw, 4);                   /* v < 3L */
    while (geq_L(v)) sub_from(v, L_limbs, 4);
    memcpy(r->v, v, 32);
}

int px_sc_is_canonical(const uint8_t s[32]) {
    px_sc x;
    px_sc_from_bytes(&x, s);
    uint64_t v[5] = { x.v[0], x.v[1], x.v[2], x.v[3], 0 };
    return !geq_L(v);
}

void px_sc_from_bytes(px_sc *r, const uint8_t s[32]) { memcpy(r->v, s, 32); }

void px_sc_reduce512(px_sc *r, const uint8_t s[64]) {
    uint64_t x[8];
    memcpy(x, s, 64);
    reduce_limbs(r, x);
}

void px_sc_mul(px_sc *r, const px_sc *a, const px_sc *b) {
    uint64_t x[8];
    mul_limbs(x, a->v, 4, b->v, 4);
    reduce_limbs(r, x);
}

void px_sc_add(px_sc *r, const px_sc *a, const px_sc *b) {
    uint64_t v[5] = { a->v[0], a->v[1], a->v[2], a->v[3], 0 };
    add_into(v, b->v, 4);
    if (geq_L(v)) sub_from(v, L_limbs, 4);
    memcpy(r->v, v, 32);
}

int px_sc_naf(int8_t naf[256], const px_sc *s, int w) {
    uint64_t x[5] = { s->v[0], s->v[1], s->v[2], s->v[3], 0 };
    const uint64_t width = 1ull << w, window_mask = width - 1;
    memset(naf, 0, 256);
    int top = 0;
    uint64_t carry = 0;
    int pos = 0;
    while (pos < 256) {
        int idx = pos / 64, bit = pos % 64;
        uint64_t buf = (bit < 64 - w) ? (x[idx] >> bit)
                                      : (x[idx] >> bit) | (x[idx + 1] << (64 - bit));
        uint64_t window = carry + (buf & window_mask);
        if ((window & 1) == 0) {
            /* Without a carry, jump over the whole run of zero bits at once. */
            if (carry == 0) pos += buf != 0 ? __builtin_ctzll(buf) : 64 - bit;
            else pos += 1;
            continue;
        }
        if (window < width / 2) {
            carry = 0;
            naf[pos] = (int8_t)window;
        } else {
            carry = 1;
            naf[pos] = (int8_t)((int64_t)window - (int64_t)width);
        }
        top = pos + 1;
        pos += w;
    }
    return top;
}
