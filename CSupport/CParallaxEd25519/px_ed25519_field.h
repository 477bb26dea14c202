/*
 * px_ed25519_field.h — arithmetic in GF(2^255 - 19), radix 2^51 (private to the shim).
 *
 * Algorithm: an element is five unsigned 64-bit limbs, value = sum v[i] * 2^(51 i).
 * Products are schoolbook 5x5 with unsigned __int128 accumulators; the wrap
 * 2^255 = 19 (mod p) is folded by pre-multiplying the high limbs by 19
 * (Bernstein, "Curve25519: new Diffie-Hellman speed records"; the same layout as
 * ed25519-donna's 64-bit field and libsodium's fe_51).
 *
 * Invariants (the whole file relies on these bounds; every caller keeps them):
 *   - "reduced" limbs (mul/sq/carry outputs) are < 2^51 + 2^13;
 *   - px_fe_mul/px_fe_sq accept limbs < 2^54: then 19 * a * b * 5 < 2^117 and
 *     every carry fits 64 bits (the top column has no factor 19);
 *   - px_fe_add of two reduced values gives limbs < 2^52 + 2^14;
 *   - px_fe_sub adds 2p first: subtrahend limbs must be < 2^52 - 38;
 *     px_fe_sub_wide adds 4p: subtrahend limbs must be < 2^53 - 76.
 * Nothing here is constant time: verification handles public data only.
 */
#ifndef PX_ED25519_FIELD_H
#define PX_ED25519_FIELD_H

#include <stdint.h>
#include <string.h>

typedef struct px_fe { uint64_t v[5]; } px_fe;
typedef unsigned __int128 px_u128;
_Static_assert(sizeof(px_fe) == 40, "five 64-bit limbs, no padding");

#define PX_FE_MASK51 ((uint64_t)0x7FFFFFFFFFFFF)

static inline void px_fe_zero(px_fe *h) { memset(h, 0, sizeof *h); }
static inline void px_fe_one(px_fe *h) { px_fe_zero(h); h->v[0] = 1; }

static inline void px_fe_add(px_fe *h, const px_fe *f, const px_fe *g) {
    for (int i = 0; i < 5; i++) h->v[i] = f->v[i] + g->v[i];
}

static inline void px_fe_sub(px_fe *h, const px_fe *f, const px_fe *g) {
    /* 2p in radix 2^51: limb 0 is 2^52 - 38, the others 2^52 - 2. */
    h->v[0] = f->v[0] + 0xFFFFFFFFFFFDAull - g->v[0];
    h->v[1] = f->v[1] + 0xFFFFFFFFFFFFEull - g->v[1];
    h->v[2] = f->v[2] + 0xFFFFFFFFFFFFEull - g->v[2];
    h->v[3] = f->v[3] + 0xFFFFFFFFFFFFEull - g->v[3];
    h->v[4] = f->v[4] + 0xFFFFFFFFFFFFEull - g->v[4];
}

static inline void px_fe_sub_wide(px_fe *h, const px_fe *f, const px_fe *g) {
    /* 4p: limb 0 is 2^53 - 76, the others 2^53 - 4. */
    h->v[0] = f->v[0] + 0x1FFFFFFFFFFFB4ull - g->v[0];
    h->v[1] = f->v[1] + 0x1FFFFFFFFFFFFCull - g->v[1];
    h->v[2] = f->v[2] + 0x1FFFFFFFFFFFFCull - g->v[2];
    h->v[3] = f->v[3] + 0x1FFFFFFFFFFFFCull - g->v[3];
    h->v[4] = f->v[4] + 0x1FFFFFFFFFFFFCull - g->v[4];
}

/* Brings any limbs < 2^63 back to reduced form. */
static inline void px_fe_carry(px_fe *h) {
    uint64_t c;
    c = h->v[0] >> 51; h->v[0] &= PX_FE_MASK51; h->v[1] += c;
    c = h->v[1] >> 51; h->v[1] &= PX_FE_MASK51; h->v[2] += c;
    c = h->v[2] >> 51; h->v[2] &= PX_FE_MASK51; h->v[3] += c;
    c = h->v[3] >> 51; h->v[3] &= PX_FE_MASK51; h->v[4] += c;
    c = h->v[4] >> 51; h->v[4] &= PX_FE_MASK51; h->v[0] += c * 19;
}

static inline void px_fe_neg(px_fe *h, const px_fe *f) {
    px_fe zero;
    px_fe_zero(&zero);
    px_fe_sub_wide(h, &zero, f);
    px_fe_carry(h);
}

static inline void px_fe_reduce_columns(px_fe *h, px_u128 r0, px_u128 r1, px_u128 r2,
                                        px_u128 r3, px_u128 r4) {
    uint64_t c;
    r1 += (uint64_t)(r0 >> 51); uint64_t h0 = (uint64_t)r0 & PX_FE_MASK51;
    r2 += (uint64_t)(r1 >> 51); uint64_t h1 = (uint64_t)r1 & PX_FE_MASK51;
    r3 += (uint64_t)(r2 >> 51); uint64_t h2 = (uint64_t)r2 & PX_FE_MASK51;
    r4 += (uint64_t)(r3 >> 51); uint64_t h3 = (uint64_t)r3 & PX_FE_MASK51;
    c = (uint64_t)(r4 >> 51);   uint64_t h4 = (uint64_t)r4 & PX_FE_MASK51;
    h0 += c * 19;
    c = h0 >> 51; h0 &= PX_FE_MASK51; h1 += c;
    h->v[0] = h0; h->v[1] = h1; h->v[2] = h2; h->v[3] = h3; h->v[4] = h4;
}

static inline void px_fe_mul(px_fe *h, const px_fe *f, const px_fe *g) {
    const uint64_t f0 = f->v[0], f1 = f->v[1], f2 = f->v[2], f3 = f->v[3], f4 = f->v[4];
    const uint64_t g0 = g->v[0], g1 = g->v[1], g2 = g->v[2], g3 = g->v[3], g4 = g->v[4];
    const uint64_t g1_19 = 19 * g1, g2_19 = 19 * g2, g3_19 = 19 * g3, g4_19 = 19 * g4;
    px_u128 r0 = (px_u128)f0 * g0 + (px_u128)f1 * g4_19 + (px_u128)f2 * g3_19
               + (px_u128)f3 * g2_19 + (px_u128)f4 * g1_19;
    px_u128 r1 = (px_u128)f0 * g1 + (px_u128)f1 * g0 + (px_u128)f2 * g4_19
               + (px_u128)f3 * g3_19 + (px_u128)f4 * g2_19;
    px_u128 r2 = (px_u128)f0 * g2 + (px_u128)f1 * g1 + (px_u128)f2 * g0
               + (px_u128)f3 * g4_19 + (px_u128)f4 * g3_19;
    px_u128 r3 = (px_u128)f0 * g3 + (px_u128)f1 * g2 + (px_u128)f2 * g1
               + (px_u128)f3 * g0 + (px_u128)f4 * g4_19;
    px_u128 r4 = (px_u128)f0 * g4 + (px_u128)f1 * g3 + (px_u128)f2 * g2
               + (px_u128)f3 * g1 + (px_u128)f4 * g0;
    px_fe_reduce_columns(h, r0, r1, r2, r3, r4);
}

static inline void px_fe_sq(px_fe *h, const px_fe *f) {
    const uint64_t f0 = f->v[0], f1 = f->v[1], f2 = f->v[2], f3 = f->v[3], f4 = f->v[4];
    const uint64_t f0_2 = 2 * f0, f1_2 = 2 * f1;
    const uint64_t f1_38 = 38 * f1, f2_38 = 38 * f2, f3_38 = 38 * f3;
    const uint64_t f3_19 = 19 * f3, f4_19 = 19 * f4;
    px_u128 r0 = (px_u128)f0 * f0 + (px_u128)f1_38 * f4 + (px_u128)f2_38 * f3;
    px_u128 r1 = (px_u128)f0_2 * f1 + (px_u128)f2_38 * f4 + (px_u128)f3_19 * f3;
    px_u128 r2 = (px_u128)f0_2 * f2 + (px_u128)f1 * f1 + (px_u128)f3_38 * f4;
    px_u128 r3 = (px_u128)f0_2 * f3 + (px_u128)f1_2 * f2 + (px_u128)f4_19 * f4;
    px_u128 r4 = (px_u128)f0_2 * f4 + (px_u128)f1_2 * f3 + (px_u128)f2 * f2;
    px_fe_reduce_columns(h, r0, r1, r2, r3, r4);
}

static inline void px_fe_sq_times(px_fe *h, const px_fe *f, int n) {
    px_fe_sq(h, f);
    for (int i = 1; i < n; i++) px_fe_sq(h, h);
}

/* Little-endian 32 bytes; bit 255 is ignored (it carries the sign of x). */
static inline void px_fe_frombytes(px_fe *h, const uint8_t s[32]) {
    uint64_t w[4];
    memcpy(w, s, 32);
    h->v[0] = w[0] & PX_FE_MASK51;
    h->v[1] = ((w[0] >> 51) | (w[1] << 13)) & PX_FE_MASK51;
    h->v[2] = ((w[1] >> 38) | (w[2] << 26)) & PX_FE_MASK51;
    h->v[3] = ((w[2] >> 25) | (w[3] << 39)) & PX_FE_MASK51;
    h->v[4] = (w[3] >> 12) & PX_FE_MASK51;
}

/* The unique representative in [0, p), little-endian. */
static inline void px_fe_tobytes(uint8_t s[32], const px_fe *f) {
    px_fe t = *f;
    px_fe_carry(&t);
    px_fe_carry(&t);
    /* Now t < 2^255 + small; subtract p if t >= p by computing t + 19 and
     * looking at bit 255. */
    uint64_t q = (t.v[0] + 19) >> 51;
    q = (t.v[1] + q) >> 51;
    q = (t.v[2] + q) >> 51;
    q = (t.v[3] + q) >> 51;
    q = (t.v[4] + q) >> 51;
    t.v[0] += 19 * q;
    uint64_t c;
    c = t.v[0] >> 51; t.v[0] &= PX_FE_MASK51; t.v[1] += c;
    c = t.v[1] >> 51; t.v[1] &= PX_FE_MASK51; t.v[2] += c;
    c = t.v[2] >> 51; t.v[2] &= PX_FE_MASK51; t.v[3] += c;
    c = t.v[3] >> 51; t.v[3] &= PX_FE_MASK51; t.v[4] += c;
    t.v[4] &= PX_FE_MASK51;
    uint64_t w[4];
    w[0] = t.v[0] | (t.v[1] << 51);
    w[1] = (t.v[1] >> 13) | (t.v[2] << 38);
    w[2] = (t.v[2] >> 26) | (t.v[3] << 25);
    w[3] = (t.v[3] >> 39) | (t.v[4] << 12);
    memcpy(s, w, 32);
}

static inline int px_fe_is_zero(const px_fe *f) {
    uint8_t s[32];
    px_fe_tobytes(s, f);
    uint8_t acc = 0;
    for (int i = 0; i < 32; i++) acc |= s[i];
    return acc == 0;
}

static inline int px_fe_equal(const px_fe *f, const px_fe *g) {
    px_fe d;
    px_fe_sub(&d, f, g);
    return px_fe_is_zero(&d);
}

/* The "sign" of x in RFC 8032: the low bit of its canonical encoding. */
static inline int px_fe_is_negative(const px_fe *f) {
    uint8_t s[32];
    px_fe_tobytes(s, f);
    return s[0] & 1;
}

/* z^(2^250 - 1), the shared prefix of inversion and the square-root power. */
static inline void px_fe_pow_2_250_1(px_fe *out, px_fe *z11, const px_fe *z) {
    px_fe t0, t1, z2, z9, z2_5_0, z2_10_0, z2_20_0, z2_50_0, z2_100_0;
    px_fe_sq(&z2, z);                       /* 2 */
    px_fe_sq_times(&t0, &z2, 2);            /* 8 */
    px_fe_mul(&z9, &t0, z);                 /* 9 */
    px_fe_mul(z11, &z9, &z2);               /* 11 */
    px_fe_sq(&t0, z11);                     /* 22 */
    px_fe_mul(&z2_5_0, &t0, &z9);           /* 2^5 - 1 */
    px_fe_sq_times(&t0, &z2_5_0, 5);
    px_fe_mul(&z2_10_0, &t0, &z2_5_0);      /* 2^10 - 1 */
    px_fe_sq_times(&t0, &z2_10_0, 10);
    px_fe_mul(&z2_20_0, &t0, &z2_10_0);     /* 2^20 - 1 */
    px_fe_sq_times(&t0, &z2_20_0, 20);
    px_fe_mul(&t1, &t0, &z2_20_0);          /* 2^40 - 1 */
    px_fe_sq_times(&t0, &t1, 10);
    px_fe_mul(&z2_50_0, &t0, &z2_10_0);     /* 2^50 - 1 */
    px_fe_sq_times(&t0, &z2_50_0, 50);
    px_fe_mul(&z2_100_0, &t0, &z2_50_0);    /* 2^100 - 1 */
    px_fe_sq_times(&t0, &z2_100_0, 100);
    px_fe_mul(&t1, &t0, &z2_100_0);         /* 2^200 - 1 */
    px_fe_sq_times(&t0, &t1, 50);
    px_fe_mul(out, &t0, &z2_50_0);          /* 2^250 - 1 */
}

/* z^(p - 2) = 1/z (and 0 for z = 0). */
static inline void px_fe_invert(px_fe *out, const px_fe *z) {
    px_fe t, z11;
    px_fe_pow_2_250_1(&t, &z11, z);
    px_fe_sq_times(&t, &t, 5);              /* 2^255 - 32 */
    px_fe_mul(out, &t, &z11);               /* 2^255 - 21 = p - 2 */
}

/* z^((p - 5) / 8) = z^(2^252 - 3). */
static inline void px_fe_pow_p58(px_fe *out, const px_fe *z) {
    px_fe t, z11;
    px_fe_pow_2_250_1(&t, &z11, z);
    px_fe_sq_times(&t, &t, 2);              /* 2^252 - 4 */
    px_fe_mul(out, &t, z);                  /* 2^252 - 3 */
}

#endif /* PX_ED25519_FIELD_H */
