/*
 * OpenSSL digest baselines for `parallax-perf precheck`: the fastest
 * single-buffer paths of libcrypto, one message after another.
 *
 * SHA-256 goes through the low-level SHA256_Init/Update/Final, which skip the
 * EVP provider dispatch and use SHA-NI where the CPU has it. SHA3-256 goes
 * through EVP with one context reused for every message (EVP_DigestInit_ex on
 * the same context only resets the state; fetching the algorithm and
 * allocating the context happen once), the cheapest way OpenSSL 3 offers.
 * Keccak-256 differs from SHA3-256 only in its padding byte, so this is the
 * baseline for Parallax's Keccak-256.
 */
/* SHA256_Init and friends are deprecated in OpenSSL 3 but remain its fastest
 * SHA-256 path, which is the point of a baseline. */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/evp.h>
#include <openssl/sha.h>

#include "CPerfBaselines.h"

_Static_assert(SHA256_DIGEST_LENGTH == 32, "SHA-256 digests are 32 bytes");

int pxb_openssl_sha256_batch(const uint8_t *const *msgs, const size_t *lens, size_t n,
                             uint8_t (*out)[32]) {
    for (size_t i = 0; i < n; i++) {
        SHA256_CTX ctx;
        if (!SHA256_Init(&ctx) || !SHA256_Update(&ctx, msgs[i], lens[i]) || !SHA256_Final(out[i], &ctx))
            return -1;
    }
    return 0;
}

int pxb_openssl_sha3_256_batch(const uint8_t *const *msgs, const size_t *lens, size_t n,
                               uint8_t (*out)[32]) {
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (!ctx) return -1;
    const EVP_MD *md = EVP_sha3_256();
    int status = 0;
    for (size_t i = 0; i < n && status == 0; i++) {
        unsigned int size = 0;
        if (!EVP_DigestInit_ex(ctx, md, NULL) || !EVP_DigestUpdate(ctx, msgs[i], lens[i]) ||
            !EVP_DigestFinal_ex(ctx, out[i], &size) || size != 32)
            status = -1;
    }
    EVP_MD_CTX_free(ctx);
    return status;
}
