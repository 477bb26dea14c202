/*
 * px_blake2f.c — EIP-152: the BLAKE2b compression function F (RFC 7693,
 * section 3.2) with the caller's round count, for precompile 0x09.
 *
 * The round count is a 32-bit big-endian number and may be anything up to
 * 2^32 - 1; the EVM charges one gas per round before calling, so a large
 * count is paid for. Message schedule: round i uses SIGMA[i mod 10].
 */
#include "px_blake2f.h"

#include <string.h>

static const uint64_t blake2b_iv[8] = {
    0x6a09e667f3bcc908ULL, 0xbb67ae8584caa73bULL, 0x3c6ef372fe94f82bULL, 0xa54ff53a5f1d36f1ULL,
    0x510e527fade682d1ULL, 0x9b05688c2b3e6c1fULL, 0x1f83d9abfb41bd6bULL, 0x5be0cd19137e2179ULL,
};

static const uint8_t blake2b_sigma[10][16] = {
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
    {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
    {11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4},
    {7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8},
    {9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13},
    {2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9},
    {12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11},
    {13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10},
    {6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5},
    {10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0},
};

static inline uint64_t load64_le(const uint8_t *p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = v << 8 | p[i];
    return v;
}

static inline void store64_le(uint8_t *p, uint64_t v) {
    for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i));
}

static inline uint64_t rotr64(uint64_t x, unsigned n) { return x >> n | x << (64 - n); }

/* The mixing function G (RFC 7693, 3.1) on columns and diagonals of v. */
#define PX_B2_G(a, b, c, d, x, y)                                                                  \
    do {                                                                                           \
        v[a] = v[a] + v[b] + (x);                                                                  \
        v[d] = rotr64(v[d] ^ v[a], 32);                                                            \
        v[c] = v[c] + v[d];                                                                        \
        v[b] = rotr64(v[b] ^ v[c], 24);                                                            \
        v[a] = v[a] + v[b] + (y);                                                                  \
        v[d] = rotr64(v[d] ^ v[a], 16);                                                            \
        v[c] = v[c] + v[d];                                                                        \
        v[b] = rotr64(v[b] ^ v[c], 63);                                                            \
    } while (0)

int px_blake2f(const uint8_t input[213], uint8_t out[64]) {
    uint8_t final = input[212];
    if (final > 1) return -1;
    uint32_t rounds = (uint32_t)input[0] << 24 | (uint32_t)input[1] << 16 | (uint32_t)input[2] << 8 | input[3];
    uint64_t h[8], m[16], v[16];
    for (int i = 0; i < 8; i++) h[i] = load64_le(input + 4 + 8 * i);
    for (int i = 0; i < 16; i++) m[i] = load64_le(input + 68 + 8 * i);
    uint64_t t0 = load64_le(input + 196), t1 = load64_le(input + 204);

    memcpy(v, h, sizeof h);
    memcpy(v + 8, blake2b_iv, sizeof blake2b_iv);
    v[12] ^= t0;
    v[13] ^= t1;
    if (final) v[14] = ~v[14];

    for (uint32_t r = 0; r < rounds; r++) {
        const uint8_t *s = blake2b_sigma[r % 10];
        PX_B2_G(0, 4, 8, 12, m[s[0]], m[s[1]]);
        PX_B2_G(1, 5, 9, 13, m[s[2]], m[s[3]]);
        PX_B2_G(2, 6, 10, 14, m[s[4]], m[s[5]]);
        PX_B2_G(3, 7, 11, 15, m[s[6]], m[s[7]]);
        PX_B2_G(0, 5, 10, 15, m[s[8]], m[s[9]]);
        PX_B2_G(1, 6, 11, 12, m[s[10]], m[s[11]]);
        PX_B2_G(2, 7, 8, 13, m[s[12]], m[s[13]]);
        PX_B2_G(3, 4, 9, 14, m[s[14]], m[s[15]]);
    }
    for (int i = 0; i < 8; i++) store64_le(out + 8 * i, h[i] ^ v[i] ^ v[i + 8]);
    return 0;
}
