/* Baselines for parallax-perf, measured in C with the libraries' own inline
 * paths. Never linked into the library. */
#ifndef CPERF_BASELINES_H
#define CPERF_BASELINES_H

#include <stddef.h>
#include <stdint.h>

/*
 * Moves `items` pointer-sized items through a Concurrency Kit ck_ring in MPMC
 * mode (ck_ring_enqueue_mpmc / ck_ring_trydequeue_mpmc) of `ring_size` slots.
 * With consumers == 0 one thread enqueues and dequeues in turn. Returns the
 * elapsed seconds from the start barrier to the last item, or a negative value
 * when the arguments are invalid or a thread cannot be created. `*checksum`
 * receives the sum of the items dequeued (the harness checks it).
 */
double pxb_ck_ring_run(unsigned producers, unsigned consumers, uint64_t items,
                       unsigned ring_size, uint64_t *checksum);

/*
 * OpenSSL digests of n messages, one after another: SHA-256 through the
 * low-level SHA256_Init/Update/Final, SHA3-256 through EVP with one reused
 * context (see openssl_digest_baseline.c). Return 0, or -1 if OpenSSL fails.
 */
int pxb_openssl_sha256_batch(const uint8_t *const *msgs, const size_t *lens, size_t n,
                             uint8_t (*out)[32]);
int pxb_openssl_sha3_256_batch(const uint8_t *const *msgs, const size_t *lens, size_t n,
                               uint8_t (*out)[32]);

#endif
