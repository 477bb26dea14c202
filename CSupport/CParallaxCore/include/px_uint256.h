/*
 * px_uint256.h — the division kernels of the EVM's 256-bit word (UInt256 in
 * ParallaxEthereum): quotient and remainder, and the exact remainders that
 * ADDMOD (257-bit sum) and MULMOD (512-bit product) need.
 *
 * Algorithm D of Knuth, TAOCP vol. 2, 4.3.1, on 64-bit limbs: normalize so
 * the divisor's top limb has its high bit set, then produce one quotient
 * limb per step. Each step's estimate comes from a 3-by-2 division of the
 * top three remainder limbs by the top two divisor limbs, done with a
 * precomputed reciprocal (Moeller and Granlund, "Improved division by
 * invariant integers", IEEE Trans. Computers 60(2), 2011; the layout of
 * intx's udivrem_knuth): two multiplications instead of a `divq` per limb,
 * and the estimate is then at most one too large (add back, rare). Divisors
 * of one or two limbs need no multiply-subtract at all: the 2-by-1 and
 * 3-by-2 steps give exact digits. The reciprocal itself comes from a table
 * and Newton steps, so no step uses a division instruction (a 128/64 `divq`
 * costs tens of cycles; Swift's UInt64.dividingFullWidth is worse, a call
 * into compiler-rt's __udivti3).
 *
 * Invariants of px_u256_divide: 1 <= n <= m <= 8, v[n-1] != 0, u has room
 * for m + 1 limbs; the running remainder stays below v, so each step's top
 * two limbs are at most the divisor's (equal: the digit is 2^64 - 1).
 * Every function is static inline so that it is compiled with the
 * optimization level of the Swift module that calls it.
 */
#ifndef PX_UINT256_H
#define PX_UINT256_H

#include <stdint.h>

/* Little-endian limbs, the layout of UInt256. */
typedef struct px_u256 {
    uint64_t l0, l1, l2, l3;
} px_u256;

/* (hi:lo) / d for hi < d; the remainder through *rem. */
static inline uint64_t px_u256_div128(uint64_t hi, uint64_t lo, uint64_t d, uint64_t *rem) {
#if defined(__x86_64__)
    uint64_t q, r;
    __asm__("divq %4" : "=a"(q), "=d"(r) : "a"(lo), "d"(hi), "rm"(d) : "cc");
    *rem = r;
    return q;
#else
    unsigned __int128 n = ((unsigned __int128)hi << 64) | lo;
    *rem = (uint64_t)(n % d);
    return (uint64_t)(n / d);
#endif
}

static inline int px_u256_limbs(const uint64_t *x, int count) {
    while (count > 0 && x[count - 1] == 0) count--;
    return count;
}

/* 0x7fd00 / (0x100 | i): an 11-bit first approximation of the reciprocal of
 * a normalized divisor, indexed by its bits 55-62 (bit 63 is set). */
static const uint16_t px_u256_reciprocal_table[256] = {
    0x7fd, 0x7f5, 0x7ed, 0x7e5, 0x7dd, 0x7d5, 0x7ce, 0x7c6, 0x7bf, 0x7b7, 0x7b0, 0x7a8,
    0x7a1, 0x79a, 0x792, 0x78b, 0x784, 0x77d, 0x776, 0x76f, 0x768, 0x761, 0x75b, 0x754,
    0x74d, 0x747, 0x740, 0x739, 0x733, 0x72c, 0x726, 0x720, 0x719, 0x713, 0x70d, 0x707,
    0x700, 0x6fa, 0x6f4, 0x6ee, 0x6e8, 0x6e2, 0x6dc, 0x6d6, 0x6d1, 0x6cb, 0x6c5, 0x6bf,
    0x6ba, 0x6b4, 0x6ae, 0x6a9, 0x6a3, 0x69e, 0x698, 0x693, 0x68d, 0x688, 0x683, 0x67d,
    0x678, 0x673, 0x66e, 0x669, 0x664, 0x65e, 0x659, 0x654, 0x64f, 0x64a, 0x645, 0x640,
    0x63c, 0x637, 0x632, 0x62d, 0x628, 0x624, 0x61f, 0x61a, 0x616, 0x611, 0x60c, 0x608,
    0x603, 0x5ff, 0x5fa, 0x5f6, 0x5f1, 0x5ed, 0x5e9, 0x5e4, 0x5e0, 0x5dc, 0x5d7, 0x5d3,
    0x5cf, 0x5cb, 0x5c6, 0x5c2, 0x5be, 0x5ba, 0x5b6, 0x5b2, 0x5ae, 0x5aa, 0x5a6, 0x5a2,
    0x59e, 0x59a, 0x596, 0x592, 0x58e, 0x58a, 0x586, 0x583, 0x57f, 0x57b, 0x577, 0x574,
    0x570, 0x56c, 0x568, 0x565, 0x561, 0x55e, 0x55a, 0x556, 0x553, 0x54f, 0x54c, 0x548,
    0x545, 0x541, 0x53e, 0x53a, 0x537, 0x534, 0x530, 0x52d, 0x52a, 0x526, 0x523, 0x520,
    0x51c, 0x519, 0x516, 0x513, 0x50f, 0x50c, 0x509, 0x506, 0x503, 0x500, 0x4fc, 0x4f9,
    0x4f6, 0x4f3, 0x4f0, 0x4ed, 0x4ea, 0x4e7, 0x4e4, 0x4e1, 0x4de, 0x4db, 0x4d8, 0x4d5,
    0x4d2, 0x4cf, 0x4cc, 0x4ca, 0x4c7, 0x4c4, 0x4c1, 0x4be, 0x4bb, 0x4b9, 0x4b6, 0x4b3,
    0x4b0, 0x4ad, 0x4ab, 0x4a8, 0x4a5, 0x4a3, 0x4a0, 0x49d, 0x49b, 0x498, 0x495, 0x493,
    0x490, 0x48d, 0x48b, 0x488, 0x486, 0x483, 0x481, 0x47e, 0x47c, 0x479, 0x477, 0x474,
    0x472, 0x46f, 0x46d, 0x46a, 0x468, 0x465, 0x463, 0x461, 0x45e, 0x45c, 0x459, 0x457,
    0x455, 0x452, 0x450, 0x44e, 0x44b, 0x449, 0x447, 0x444, 0x442, 0x440, 0x43e, 0x43b,
    0x439, 0x437, 0x435, 0x432, 0x430, 0x42e, 0x42c, 0x42a, 0x428, 0x425, 0x423, 0x421,
    0x41f, 0x41d, 0x41b, 0x419, 0x417, 0x414, 0x412, 0x410, 0x40e, 0x40c, 0x40a, 0x408,
    0x406, 0x404, 0x402, 0x400,
};

/* floor((2^128 - 1) / d) - 2^64 for a normalized d (top bit set): the
 * reciprocal that turns each 2-by-1 quotient limb into two multiplications
 * (Moeller and Granlund, "Improved division by invariant integers", IEEE
 * Trans. Computers 2011, algorithm 2, as in intx): a table lookup refined by
 * Newton steps, no division instruction. */
static inline uint64_t px_u256_reciprocal_2by1(uint64_t d) {
    const uint64_t v0 = px_u256_reciprocal_table[(d >> 55) - 256];
    const uint64_t d40 = (d >> 24) + 1;
    const uint64_t v1 = (v0 << 11) - (uint64_t)(uint32_t)(((uint64_t)(uint32_t)(v0 * v0) * d40) >> 40) - 1;
    const uint64_t v2 = (v1 << 13) + ((v1 * (0x1000000000000000ULL - v1 * d40)) >> 47);
    const uint64_t d0 = d & 1;
    const uint64_t d63 = (d >> 1) + d0; /* ceil(d / 2) */
    const uint64_t e = ((v2 >> 1) & (0 - d0)) - v2 * d63;
    const uint64_t v3 = ((uint64_t)(((unsigned __int128)v2 * e) >> 64) >> 1) + (v2 << 31);
    return v3 - (uint64_t)(((unsigned __int128)v3 * d + d) >> 64) - d;
}

/* The 3-by-2 reciprocal of the normalized (d1:d0) (Moeller-Granlund alg. 6). */
static inline uint64_t px_u256_reciprocal_3by2(uint64_t d1, uint64_t d0) {
    uint64_t v = px_u256_reciprocal_2by1(d1);
    uint64_t p = d1 * v;
    p += d0;
    if (p < d0) {
        v--;
        if (p >= d1) {
            v--;
            p -= d1;
        }
        p -= d1;
    }
    unsigned __int128 t = (unsigned __int128)v * d0;
    uint64_t th = (uint64_t)(t >> 64), tl = (uint64_t)t;
    p += th;
    if (p < th) {
        v--;
        if (p >= d1) {
            if (p > d1 || tl >= d0) v--;
        }
    }
    return v;
}

/* (u1:u0) / d for u1 < d, d normalized, v its reciprocal (alg. 4). */
static inline uint64_t px_u256_udivrem_2by1(uint64_t u1, uint64_t u0, uint64_t d, uint64_t v, uint64_t *rem) {
    unsigned __int128 q = (unsigned __int128)v * u1;
    q += ((unsigned __int128)u1 << 64) | u0;
    uint64_t q1 = (uint64_t)(q >> 64) + 1, q0 = (uint64_t)q;
    uint64_t r = u0 - q1 * d;
    if (r > q0) {
        q1--;
        r += d;
    }
    if (r >= d) {
        q1++;
        r -= d;
    }
    *rem = r;
    return q1;
}

/* (u2:u1:u0) / (d1:d0) for (u2:u1) < (d1:d0), d normalized, v its 3-by-2
 * reciprocal (alg. 5); the 128-bit remainder through *rem. */
static inline uint64_t px_u256_udivrem_3by2(uint64_t u2, uint64_t u1, uint64_t u0, uint64_t d1, uint64_t d0,
                                            uint64_t v, unsigned __int128 *rem) {
    unsigned __int128 q = (unsigned __int128)v * u2;
    q += ((unsigned __int128)u2 << 64) | u1;
    uint64_t q1 = (uint64_t)(q >> 64), q0 = (uint64_t)q;
    uint64_t r1 = u1 - q1 * d1;
    unsigned __int128 d = ((unsigned __int128)d1 << 64) | d0;
    unsigned __int128 r = (((unsigned __int128)r1 << 64) | u0) - (unsigned __int128)d0 * q1 - d;
    q1++;
    if ((uint64_t)(r >> 64) >= q0) {
        q1--;
        r += d;
    }
    if (r >= d) {
        q1++;
        r -= d;
    }
    *rem = r;
    return q1;
}

/* r = x - y * m over len limbs; returns what is still to subtract above them. */
static inline uint64_t px_u256_submul(uint64_t *r, const uint64_t *x, const uint64_t *y, int len, uint64_t m) {
    uint64_t borrow = 0;
    for (int i = 0; i < len; i++) {
        uint64_t s = x[i] - borrow;
        unsigned __int128 p = (unsigned __int128)y[i] * m;
        borrow = (uint64_t)(p >> 64) + (x[i] < s);
        r[i] = s - (uint64_t)p;
        borrow += (s < r[i]);
    }
    return borrow;
}

/* r = x + y over len limbs; returns the carry out. */
static inline uint64_t px_u256_add(uint64_t *r, const uint64_t *x, const uint64_t *y, int len) {
    uint64_t carry = 0;
    for (int i = 0; i < len; i++) {
        unsigned __int128 s = (unsigned __int128)x[i] + y[i] + carry;
        r[i] = (uint64_t)s;
        carry = (uint64_t)(s >> 64);
    }
    return carry;
}

/* Divides u[0..m) by v[0..n) (v[n-1] != 0, m >= n, u has room for m + 1
 * limbs): the quotient's limbs q[0..m-n] when q is not NULL, the remainder
 * to r[0..n). Clobbers u and v. Normalizes both by the divisor's leading
 * zeros, then: one divisor limb, a 2-by-1 step per limb; two, a 3-by-2 step
 * per limb (exact digits); more, algorithm D with 3-by-2 digit estimates
 * (off by at most one: add back). */
static inline void px_u256_divide(uint64_t *u, int m, uint64_t *v, int n, uint64_t *q, uint64_t *r) {
    int s = __builtin_clzll(v[n - 1]);
    if (s != 0) {
        for (int i = n - 1; i > 0; i--) v[i] = (v[i] << s) | (v[i - 1] >> (64 - s));
        v[0] <<= s;
        u[m] = u[m - 1] >> (64 - s);
        for (int i = m - 1; i > 0; i--) u[i] = (u[i] << s) | (u[i - 1] >> (64 - s));
        u[0] <<= s;
    } else {
        u[m] = 0;
    }
    if (n == 1) {
        uint64_t d = v[0], recip = px_u256_reciprocal_2by1(d), rem = u[m];
        for (int i = m - 1; i >= 0; i--) {
            uint64_t qi = px_u256_udivrem_2by1(rem, u[i], d, recip, &rem);
            if (q) q[i] = qi;
        }
        r[0] = rem >> s;
        return;
    }
    const uint64_t d1 = v[n - 1], d0 = v[n - 2];
    const uint64_t recip = px_u256_reciprocal_3by2(d1, d0);
    if (n == 2) {
        unsigned __int128 rem = ((unsigned __int128)u[m] << 64) | u[m - 1];
        for (int i = m - 2; i >= 0; i--) {
            uint64_t qi = px_u256_udivrem_3by2((uint64_t)(rem >> 64), (uint64_t)rem, u[i], d1, d0, recip, &rem);
            if (q) q[i] = qi;
        }
        rem >>= s;
        r[0] = (uint64_t)rem;
        r[1] = (uint64_t)(rem >> 64);
        return;
    }
    for (int j = m - n; j >= 0; j--) {
        uint64_t u2 = u[j + n], u1 = u[j + n - 1], u0 = u[j + n - 2];
        uint64_t qhat;
        if (u2 == d1 && u1 == d0) {
            /* The 3-by-2 step would overflow: the digit is 2^64 - 1. */
            qhat = UINT64_MAX;
            uint64_t over = px_u256_submul(&u[j], &u[j], v, n, qhat);
            uint64_t negative = u2 < over;
            u[j + n] = u2 - over;
            if (negative) {
                qhat--;
                u[j + n] += px_u256_add(&u[j], &u[j], v, n);
            }
        } else {
            unsigned __int128 rhat;
            qhat = px_u256_udivrem_3by2(u2, u1, u0, d1, d0, recip, &rhat);
            uint64_t over = px_u256_submul(&u[j], &u[j], v, n - 2, qhat);
            uint64_t rl = (uint64_t)rhat, rh = (uint64_t)(rhat >> 64);
            uint64_t b1 = rl < over;
            u[j + n - 2] = rl - over;
            uint64_t b2 = rh < b1;
            u[j + n - 1] = rh - b1;
            if (b2) {
                /* The estimate was one too large: add the divisor back. */
                qhat--;
                u[j + n - 1] += d1 + px_u256_add(&u[j], &u[j], v, n - 1);
            }
            /* The running remainder is below v: its limb j + n is zero. */
            u[j + n] = 0;
        }
        if (q) q[j] = qhat;
    }
    if (s == 0) {
        for (int i = 0; i < n; i++) r[i] = u[i];
    } else {
        for (int i = 0; i < n; i++) r[i] = (u[i] >> s) | (u[i + 1] << (64 - s));
    }
}

/* Remainder of the m-limb number u (m <= 8, room for m + 1 limbs,
 * clobbered) by d != 0. */
static inline px_u256 px_u256_rem_wide(uint64_t *u, int m, px_u256 d) {
    uint64_t v[4] = {d.l0, d.l1, d.l2, d.l3};
    uint64_t r[4] = {0, 0, 0, 0};
    int n = px_u256_limbs(v, 4);
    m = px_u256_limbs(u, m);
    if (m < n) {
        for (int i = 0; i < m; i++) r[i] = u[i];
    } else {
        px_u256_divide(u, m, v, n, 0, r);
    }
    px_u256 out = {r[0], r[1], r[2], r[3]};
    return out;
}

/* a / b with the remainder through *rem; b != 0. */
static inline px_u256 px_u256_divrem(px_u256 a, px_u256 b, px_u256 *rem) {
    uint64_t u[5] = {a.l0, a.l1, a.l2, a.l3, 0};
    uint64_t v[4] = {b.l0, b.l1, b.l2, b.l3};
    uint64_t q[4] = {0, 0, 0, 0}, r[4] = {0, 0, 0, 0};
    int m = px_u256_limbs(u, 4), n = px_u256_limbs(v, 4);
    if (m < n) {
        *rem = a;
        px_u256 zero = {0, 0, 0, 0};
        return zero;
    }
    px_u256_divide(u, m, v, n, q, r);
    px_u256 rr = {r[0], r[1], r[2], r[3]};
    *rem = rr;
    px_u256 qq = {q[0], q[1], q[2], q[3]};
    return qq;
}

/* (a + b) mod m over the exact 257-bit sum; m != 0. */
static inline px_u256 px_u256_addmod(px_u256 a, px_u256 b, px_u256 m) {
    uint64_t u[6];
    unsigned __int128 s = (unsigned __int128)a.l0 + b.l0;
    u[0] = (uint64_t)s;
    s = (s >> 64) + a.l1 + b.l1;
    u[1] = (uint64_t)s;
    s = (s >> 64) + a.l2 + b.l2;
    u[2] = (uint64_t)s;
    s = (s >> 64) + a.l3 + b.l3;
    u[3] = (uint64_t)s;
    u[4] = (uint64_t)(s >> 64);
    u[5] = 0;
    return px_u256_rem_wide(u, 5, m);
}

/* (a * b) mod m over the exact 512-bit product; m != 0. */
static inline px_u256 px_u256_mulmod(px_u256 a, px_u256 b, px_u256 m) {
    const uint64_t x[4] = {a.l0, a.l1, a.l2, a.l3}, y[4] = {b.l0, b.l1, b.l2, b.l3};
    uint64_t u[9] = {0, 0, 0, 0, 0, 0, 0, 0, 0};
    for (int j = 0; j < 4; j++) {
        uint64_t carry = 0;
        for (int i = 0; i < 4; i++) {
            unsigned __int128 p = (unsigned __int128)x[i] * y[j] + u[i + j] + carry;
            u[i + j] = (uint64_t)p;
            carry = (uint64_t)(p >> 64);
        }
        u[j + 4] = carry;
    }
    return px_u256_rem_wide(u, 8, m);
}

#endif /* PX_UINT256_H */
