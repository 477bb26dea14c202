/*
 * px_ed25519.h — Ed25519 signature verification, single and batched.
 *
 * Acceptance rule (the same for px_ed25519_verify and px_ed25519_verify_batch;
 * see docs/signatures.md): a signature (R, S) by key A on message M is valid iff
 *   1. S, read as a 256-bit little-endian integer, is < L;
 *   2. A and R are canonical encodings (y < p), not the encoding of a
 *      small-order point (any sign bit), and decode to curve points;
 *   3. [8]([S]B - R - [h]A) = 0 with h = SHA-512(R || A || M) mod L
 *      (the cofactored equation of RFC 8032 §5.1.7 and ZIP-215).
 * Checks 1 and 2 are libsodium 1.0.18's; the equation differs from its
 * cofactorless [S]B - [h]A = R only when A or R has a small-order component
 * (mixed order): then libsodium may reject what this rule accepts, never the
 * reverse.
 *
 * The batch path checks [8](sum z_i ([S_i]B - R_i - [h_i]A_i)) = 0 with random
 * 128-bit z_i for up to PX_ED25519_CHUNK signatures at a time and bisects a
 * failing group down to single signatures. Every [8](...) term lies in the
 * prime-order subgroup, so a group with an invalid member passes with
 * probability at most 2^-127 per check: the verdicts do not depend on the batch
 * composition or on the coefficients.
 *
 * Speed: where px_cpu_features() reports AVX-512 IFMA, the batch path computes
 * a chunk's square-root exponentiations 16 at a time (px_ed25519_pow_many.c),
 * builds its point tables 8 at a time and runs the multi-scalar multiplication
 * as eight lane-parallel partial sums (px_ed25519_msm_ifma.c). Where it reports
 * AVX2 but not IFMA, the same steps run four lanes wide in radix 2^25.5
 * (px_ed25519_avx2.c), and groups of 256 signatures or more use the bucket
 * method (Pippenger) instead of the interleaved walk. Otherwise the portable
 * radix-2^51 code runs. All give the same verdicts.
 */
#ifndef PX_ED25519_H
#define PX_ED25519_H

#include <stddef.h>
#include <stdint.h>

/* Per-signature verdicts; the structural ones are listed in the order checked. */
typedef enum px_ed25519_verdict {
    px_ed25519_valid = 0,
    px_ed25519_equation_fails = 1,
    px_ed25519_s_not_reduced = 2,
    px_ed25519_key_not_canonical = 3,
    px_ed25519_key_small_order = 4,
    px_ed25519_r_not_canonical = 5,
    px_ed25519_r_small_order = 6,
    px_ed25519_key_not_on_curve = 7,
    px_ed25519_r_not_on_curve = 8,
} px_ed25519_verdict;

/* Signatures combined into one multi-scalar multiplication at most: on the
 * AVX2 path (AVX2 without IFMA), where groups of several hundred use the
 * bucket method, PX_ED25519_CHUNK_BUCKETS; on the others PX_ED25519_CHUNK. */
#define PX_ED25519_CHUNK 64
#define PX_ED25519_CHUNK_BUCKETS 1024

/* Verifies one signature (64 bytes R || S) by a 32-byte key; returns a verdict. */
px_ed25519_verdict px_ed25519_verify(const uint8_t public_key[32], const uint8_t signature[64],
                                     const uint8_t *message, size_t message_length);

/* The same with the code path chosen by `features` (px_cpu_feature bits; AVX2
 * without IFMA selects the AVX2 path, anything else the portable one) instead
 * of px_cpu_features(): for tests that compare the paths. */
px_ed25519_verdict px_ed25519_verify_with(const uint8_t public_key[32], const uint8_t signature[64],
                                          const uint8_t *message, size_t message_length, uint32_t features);

/*
 * Verifies count signatures: keys are 32-byte records at public_keys, signatures
 * 64-byte records at signatures, message i is messages[offsets[i] ..< offsets[i+1]]
 * (offsets has count + 1 entries). seed (32 bytes, secret and fresh per call in
 * production) drives the random coefficients. Writes one px_ed25519_verdict per
 * signature into verdicts. Returns 0, or -1 if the scratch space could not be
 * allocated (verdicts untouched).
 */
int px_ed25519_verify_batch(size_t count, const uint8_t *public_keys, const uint8_t *signatures,
                            const uint8_t *messages, const size_t *offsets,
                            const uint8_t seed[32], uint8_t *verdicts);

/* The same with the SIMD level chosen by `features` (px_cpu_feature bits, e.g.
 * 0 for the portable path) instead of px_cpu_features(): for tests that compare
 * levels without touching the process-wide restriction. */
int px_ed25519_verify_batch_with(size_t count, const uint8_t *public_keys, const uint8_t *signatures,
                                 const uint8_t *messages, const size_t *offsets,
                                 const uint8_t seed[32], uint8_t *verdicts, uint32_t features);

/* Signatures per batch at which the path that `features` selects is near its
 * best per signature (measured, docs/signatures.md): 512 on the AVX2 path (the
 * bucket method), PX_ED25519_CHUNK on the others. For callers that size their
 * batches, such as the precheck stage. */
size_t px_ed25519_preferred_batch(uint32_t features);

/* The same with the multiplication method chosen by the caller, for tests
 * and measurements: max_chunk caps the signatures per multiplication (0: the
 * default above; at most PX_ED25519_CHUNK_BUCKETS); on the AVX2 path window 0
 * picks the method by group size as measured, 1 always uses the interleaved
 * (Straus) walk, 4..10 uses the bucket method with that window for every group
 * of two or more. Other paths ignore window. Returns -1 for another window. */
int px_ed25519_verify_batch_tuned(size_t count, const uint8_t *public_keys, const uint8_t *signatures,
                                  const uint8_t *messages, const size_t *offsets,
                                  const uint8_t seed[32], uint8_t *verdicts, uint32_t features,
                                  size_t max_chunk, int window);

/* The encoding of [k]T for k in 0..7, T a fixed point of order 8: the eight
 * small-order points (for tests and documentation). */
void px_ed25519_small_order_point(unsigned k, uint8_t out[32]);

/* Test probes into the arithmetic (px_ed25519_probe.c); little-endian bytes.
 * Field inputs ignore bit 255; field outputs are canonical (< p). */
void px_ed25519_probe_scalar_reduce(uint8_t out[32], const uint8_t in[64]);          /* in mod L */
void px_ed25519_probe_scalar_mul(uint8_t out[32], const uint8_t a[32], const uint8_t b[32]); /* a b mod L */
void px_ed25519_probe_field_mul(uint8_t out[32], const uint8_t a[32], const uint8_t b[32]);  /* a b mod p */
/* out[i] = in[i]^((p-5)/8) for count 32-byte values at the level `features`;
 * -1 if scratch space could not be allocated. */
int px_ed25519_probe_field_pow_p58(uint8_t *out, const uint8_t *in, size_t count, uint32_t features);

#endif /* PX_ED25519_H */
