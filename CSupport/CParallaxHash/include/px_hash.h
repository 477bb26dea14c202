/*
 * px_hash.h — batched Keccak-256 and SHA-256 with runtime SIMD dispatch.
 *
 * A batch is n independent messages (pointer + length each, any lengths,
 * mixed freely) and n 32-byte output slots. The multi-buffer kernels keep one
 * message per SIMD lane; when a lane's message ends, its digest is written and
 * the lane is refilled with the next unstarted message, so lanes of different
 * lengths never wait for each other until the batch runs dry.
 *
 * Keccak-256 is Ethereum's: Keccak[r=1088, c=512] with the original padding
 * byte 0x01. SHA3-256 (FIPS 202) is the same sponge with domain byte 0x06; it
 * runs on the same kernels and exists so that every Keccak kernel can be
 * checked against an independent implementation (OpenSSL has SHA3-256 but not
 * Keccak-256).
 *
 * Dispatch picks the best implementation allowed by px_cpu_features() at each
 * call, so px_cpu_restrict() forces lower levels. The *_with variants run one
 * named implementation whenever the CPU has its instructions, whatever the
 * restriction mask (tests compare every kernel while other tests may restrict
 * dispatch); they return -1 and write nothing when the CPU lacks them.
 *
 * out must not overlap any message. A message pointer may be NULL only when
 * its length is 0. Every function is thread-safe: kernels keep their state on
 * the caller's stack.
 */
#ifndef PX_HASH_H
#define PX_HASH_H

#include <stddef.h>
#include <stdint.h>

typedef enum px_hash_impl {
    px_hash_impl_scalar = 0,  /* portable C, one message at a time */
    px_hash_impl_avx2 = 1,    /* Keccak 4 lanes / SHA-256 8 lanes, AVX2 */
    px_hash_impl_avx512 = 2,  /* Keccak 8 lanes, AVX-512F */
    px_hash_impl_sha_ni = 3,  /* SHA-256 with SHA-NI, 4 messages interleaved */
} px_hash_impl;

#define PX_HASH_DIGEST_BYTES 32

/* Keccak-256 (Ethereum padding) of every message: out[i] = K(msgs[i][0..<lens[i]]). */
void px_keccak256_batch(const uint8_t *const *msgs, const size_t *lens, size_t n,
                        uint8_t (*out)[32]);
/* SHA3-256 (FIPS 202) of every message. */
void px_sha3_256_batch(const uint8_t *const *msgs, const size_t *lens, size_t n,
                       uint8_t (*out)[32]);
/* SHA-256 (FIPS 180-4) of every message. */
void px_sha256_batch(const uint8_t *const *msgs, const size_t *lens, size_t n,
                     uint8_t (*out)[32]);

/* One named implementation; 0 on success, -1 when it is not available. */
int px_keccak256_batch_with(px_hash_impl impl, const uint8_t *const *msgs,
                            const size_t *lens, size_t n, uint8_t (*out)[32]);
int px_sha3_256_batch_with(px_hash_impl impl, const uint8_t *const *msgs,
                            const size_t *lens, size_t n, uint8_t (*out)[32]);
int px_sha256_batch_with(px_hash_impl impl, const uint8_t *const *msgs,
                         const size_t *lens, size_t n, uint8_t (*out)[32]);

/* What px_*_batch would use now, under the current restriction mask (SHA3-256
 * uses the Keccak-256 kernels). */
px_hash_impl px_keccak256_selected(void);
px_hash_impl px_sha256_selected(void);

/* Whether the CPU has what an implementation needs (restriction ignored). */
int px_keccak256_available(px_hash_impl impl);
int px_sha256_available(px_hash_impl impl);

#endif /* PX_HASH_H */
