/*
 * px_ed25519_batch.h — what the batch verifier keeps per signature, and the
 * vectorized multi-scalar multiplications that read it (private to the shim).
 */
#ifndef PX_ED25519_BATCH_H
#define PX_ED25519_BATCH_H

#include "px_ed25519_point.h"
#include "px_ed25519_scalar.h"

#include <stddef.h>

#define PX_ED25519_WINDOW 5
/* The AVX2 path checks groups of at least PX_ED25519_BUCKETS_FROM signatures
 * with the bucket method (measured: docs/signatures.md). */
#define PX_ED25519_BUCKETS_FROM 256
#define PX_ED25519_TABLE_SIZE (1 << (PX_ED25519_WINDOW - 2))
_Static_assert(PX_ED25519_WINDOW >= 2 && PX_ED25519_WINDOW <= 8,
               "NAF digits of width PX_ED25519_WINDOW must fit int8_t");

/* One signature: z, z h, their width-5 NAFs, z S mod L, and (portable path only)
 * the odd multiples 1..15 of -R and -A in cached coordinates. */
typedef struct px_ed25519_entry {
    px_ge_cached neg_r[PX_ED25519_TABLE_SIZE];
    px_ge_cached neg_a[PX_ED25519_TABLE_SIZE];
    px_sc zs;
    px_sc z, zh; /* the scalars themselves, for the bucket method's windows */
    int8_t naf_z[256];
    int8_t naf_zh[256];
    int top_z, top_zh;
} px_ed25519_entry;

/* The base-point scalar of a group, sum over entries[lo..hi) of z S mod L, as
 * a width-8 NAF in naf_base; returns the highest nonzero NAF position over it
 * and every entry's z and z h NAFs (where the shared doublings start). */
int px_ed25519_group_base(const px_ed25519_entry *entries, size_t lo, size_t hi, int8_t naf_base[256]);

/* An odd multiple in radix 2^52 for the IFMA path: cached coordinates plus
 * -2dT, so that a lane with a negative digit loads -P = (Y-X, Y+X, 2Z, -2dT)
 * by address alone. */
typedef struct px_v52_cached {
    uint64_t ypx[5], ymx[5], z2[5], t2d[5], nt2d[5];
} px_v52_cached;

/* tables[8 i + k] = (2k + 1) points[i] for i < count (AVX-512 IFMA required). */
void px_ed25519_tables_ifma(px_v52_cached *tables, const px_ge *points, size_t count);

/* 1 iff [8](sum over entries[lo..hi) of z([S]B - R - [h]A)) = 0, entry j's
 * multiples of -R at tables[16 j ..< 16 j + 8] and of -A after them
 * (AVX-512 IFMA required). */
int px_ed25519_check_group_ifma(const px_ed25519_entry *entries, const px_v52_cached *tables,
                                size_t lo, size_t hi);

/* An odd multiple in radix 2^25.5 for the AVX2 path (px_ed25519_avx2.c):
 * cached coordinates plus -2dT, every limb reduced (< 2^26 + 2^13, so 32
 * bits hold it). */
typedef struct px_v25_cached {
    uint32_t ypx[10], ymx[10], z2[10], t2d[10], nt2d[10];
} px_v25_cached;

/* tables[8 i + k] = (2k + 1) points[i] for i < count (AVX2 required). */
void px_ed25519_tables_avx2(px_v25_cached *tables, const px_ge *points, size_t count);

/* As px_ed25519_check_group_ifma, four lanes of AVX2 (AVX2 required). */
int px_ed25519_check_group_avx2(const px_ed25519_entry *entries, const px_v25_cached *tables,
                                size_t lo, size_t hi);

/* The same check by the bucket method (Pippenger) with c-bit signed windows,
 * four windows at a time in the AVX2 lanes (px_ed25519_avx2.c). It needs no
 * tables, only each point in cached form: points[2 j] = -R_j,
 * points[2 j + 1] = -A_j. 1 or 0 as the check, -1 if its scratch space could
 * not be allocated. AVX2 required; 4 <= c <= 10. */
int px_ed25519_check_group_buckets_avx2(const px_ed25519_entry *entries, const px_v25_cached *points,
                                        size_t lo, size_t hi, int c);

/* out[i] = points[i] in cached form (what the bucket method reads). */
void px_ed25519_cached_points_avx2(px_v25_cached *out, const px_ge *points, size_t count);

/* The single verifier's check on the AVX2 path (px_ed25519_single_avx2.c):
 * 1 iff [8]([S]B - R - [h]A) = 0, given -A, -R, the width-5 NAF of h and the
 * width-8 NAF of S, both zero from `top` up (AVX2 required). */
int px_ed25519_check_single_avx2(const px_ge *neg_a, const px_ge *neg_r, const int8_t naf_h[256],
                                 const int8_t naf_s[256], int top);

#endif /* PX_ED25519_BATCH_H */
