/*
 * px_keccak_round.h — one round of Keccak-f[1600], written once for every lane
 * width (internal to the shim).
 *
 * Algorithm: FIPS 202 section 3.3 (theta, rho, pi, chi, iota) on the state
 * A[x + 5y] of 64-bit lanes. rho and pi are fused: the word at source (x, y)
 * is rotated by r[x][y] and lands at (y, 2x + 3y mod 5); the table below lists
 * each destination with its source and rotation, so no permutation array
 * exists at run time. With every index a constant the compiler keeps the 25
 * words in registers (32 ZMM/YMM registers hold the state and the temporaries
 * of one step).
 *
 * The includer defines the word type and five operations before including:
 *   PXK_XOR(a, b)        a ^ b
 *   PXK_XOR3(a, b, c)    a ^ b ^ c
 *   PXK_ROL(a, n)        rotate each 64-bit word left by n, 0 < n < 64
 *   PXK_CHI(a, b, c)     a ^ (~b & c)
 *   PXK_IOTA(a, rc)      a ^ rc broadcast to every lane
 * and then uses PXK_ROUND(T, A, rc) on a local array T A[25].
 */
#ifndef PX_KECCAK_ROUND_H
#define PX_KECCAK_ROUND_H

#include <stdint.h>

/* Round constants of iota, FIPS 202 algorithm 5 evaluated for ir = 0..23. */
static const uint64_t px_keccak_rc[24] = {
    0x0000000000000001ull, 0x0000000000008082ull, 0x800000000000808Aull,
    0x8000000080008000ull, 0x000000000000808Bull, 0x0000000080000001ull,
    0x8000000080008081ull, 0x8000000000008009ull, 0x000000000000008Aull,
    0x0000000000000088ull, 0x0000000080008009ull, 0x000000008000000Aull,
    0x000000008000808Bull, 0x800000000000008Bull, 0x8000000000008089ull,
    0x8000000000008003ull, 0x8000000000008002ull, 0x8000000000000080ull,
    0x000000000000800Aull, 0x800000008000000Aull, 0x8000000080008081ull,
    0x8000000000008080ull, 0x0000000080000001ull, 0x8000000080008008ull,
};

#define PXK_CHI_ROW(A, B, y)                                                   \
    do {                                                                       \
        A[(y) + 0] = PXK_CHI(B[(y) + 0], B[(y) + 1], B[(y) + 2]);              \
        A[(y) + 1] = PXK_CHI(B[(y) + 1], B[(y) + 2], B[(y) + 3]);              \
        A[(y) + 2] = PXK_CHI(B[(y) + 2], B[(y) + 3], B[(y) + 4]);              \
        A[(y) + 3] = PXK_CHI(B[(y) + 3], B[(y) + 4], B[(y) + 0]);              \
        A[(y) + 4] = PXK_CHI(B[(y) + 4], B[(y) + 0], B[(y) + 1]);              \
    } while (0)

#define PXK_ROUND(T, A, rc)                                                    \
    do {                                                                       \
        /* theta: column parities C[x], then D[x] = C[x-1] ^ rol(C[x+1], 1) */ \
        T c0_ = PXK_XOR3(PXK_XOR3(A[0], A[5], A[10]), A[15], A[20]);          \
        T c1_ = PXK_XOR3(PXK_XOR3(A[1], A[6], A[11]), A[16], A[21]);          \
        T c2_ = PXK_XOR3(PXK_XOR3(A[2], A[7], A[12]), A[17], A[22]);          \
        T c3_ = PXK_XOR3(PXK_XOR3(A[3], A[8], A[13]), A[18], A[23]);          \
        T c4_ = PXK_XOR3(PXK_XOR3(A[4], A[9], A[14]), A[19], A[24]);          \
        T d0_ = PXK_XOR(c4_, PXK_ROL(c1_, 1));                                \
        T d1_ = PXK_XOR(c0_, PXK_ROL(c2_, 1));                                \
        T d2_ = PXK_XOR(c1_, PXK_ROL(c3_, 1));                                \
        T d3_ = PXK_XOR(c2_, PXK_ROL(c4_, 1));                                \
        T d4_ = PXK_XOR(c3_, PXK_ROL(c0_, 1));                                \
        /* theta applied, then rho + pi: B[dest] = rol(A[src] ^ D, r[src]) */  \
        T b_[25];                                                              \
        b_[0] = PXK_XOR(A[0], d0_);                                            \
        b_[1] = PXK_ROL(PXK_XOR(A[6], d1_), 44);                               \
        b_[2] = PXK_ROL(PXK_XOR(A[12], d2_), 43);                              \
        b_[3] = PXK_ROL(PXK_XOR(A[18], d3_), 21);                              \
        b_[4] = PXK_ROL(PXK_XOR(A[24], d4_), 14);                              \
        b_[5] = PXK_ROL(PXK_XOR(A[3], d3_), 28);                               \
        b_[6] = PXK_ROL(PXK_XOR(A[9], d4_), 20);                               \
        b_[7] = PXK_ROL(PXK_XOR(A[10], d0_), 3);                               \
        b_[8] = PXK_ROL(PXK_XOR(A[16], d1_), 45);                              \
        b_[9] = PXK_ROL(PXK_XOR(A[22], d2_), 61);                              \
        b_[10] = PXK_ROL(PXK_XOR(A[1], d1_), 1);                               \
        b_[11] = PXK_ROL(PXK_XOR(A[7], d2_), 6);                               \
        b_[12] = PXK_ROL(PXK_XOR(A[13], d3_), 25);                             \
        b_[13] = PXK_ROL(PXK_XOR(A[19], d4_), 8);                              \
        b_[14] = PXK_ROL(PXK_XOR(A[20], d0_), 18);                             \
        b_[15] = PXK_ROL(PXK_XOR(A[4], d4_), 27);                              \
        b_[16] = PXK_ROL(PXK_XOR(A[5], d0_), 36);                              \
        b_[17] = PXK_ROL(PXK_XOR(A[11], d1_), 10);                             \
        b_[18] = PXK_ROL(PXK_XOR(A[17], d2_), 15);                             \
        b_[19] = PXK_ROL(PXK_XOR(A[23], d3_), 56);                             \
        b_[20] = PXK_ROL(PXK_XOR(A[2], d2_), 62);                              \
        b_[21] = PXK_ROL(PXK_XOR(A[8], d3_), 55);                              \
        b_[22] = PXK_ROL(PXK_XOR(A[14], d4_), 39);                             \
        b_[23] = PXK_ROL(PXK_XOR(A[15], d0_), 41);                             \
        b_[24] = PXK_ROL(PXK_XOR(A[21], d1_), 2);                              \
        /* chi along each row, iota on A[0] */                                 \
        PXK_CHI_ROW(A, b_, 0);                                                 \
        PXK_CHI_ROW(A, b_, 5);                                                 \
        PXK_CHI_ROW(A, b_, 10);                                                \
        PXK_CHI_ROW(A, b_, 15);                                                \
        PXK_CHI_ROW(A, b_, 20);                                                \
        A[0] = PXK_IOTA(A[0], (rc));                                           \
    } while (0)

#endif /* PX_KECCAK_ROUND_H */
