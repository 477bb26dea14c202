/*
 * px_hash_lanes.h — message-to-lane feeding shared by the batched hash
 * kernels (internal to the shim).
 *
 * A multi-buffer kernel owns L lanes. Each lane hashes one message at a time,
 * one block per step; every step all lanes advance together. A lane whose
 * message has just produced its final (padded) block writes its digest and
 * takes the next unstarted message of the batch, so a batch of mixed lengths
 * keeps every lane busy until fewer than L messages are left. An idle lane
 * (batch exhausted) hashes a zero block whose result is discarded.
 *
 * Padding is produced here, block by block, straight from the caller's bytes:
 * a full block is read in place; only the final block (and for SHA-256 the
 * extra length block) is assembled in a caller-provided scratch buffer.
 *
 * Invariants: index == PX_LANE_IDLE exactly when the lane holds no message;
 * a busy lane has remaining <= its message's length.
 */
#ifndef PX_HASH_LANES_H
#define PX_HASH_LANES_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "px_hash.h"

/* Keccak's lanes are little-endian words; loading them with memcpy is exact
 * only on a little-endian CPU. */
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "px_hash assumes a little-endian CPU");

#define PX_LANE_IDLE SIZE_MAX
#define PX_KECCAK256_RATE 136
#define PX_SHA256_BLOCK 64

/* The rate is the 200-byte state minus twice the digest (capacity 512 bits);
 * the kernels absorb it as whole 64-bit words. */
_Static_assert(PX_KECCAK256_RATE == 200 - 2 * PX_HASH_DIGEST_BYTES && PX_KECCAK256_RATE % 8 == 0,
               "Keccak-256 rate is 1088 bits, 17 whole words");

typedef struct px_hash_feed {
    const uint8_t *const *msgs;
    const size_t *lens;
    size_t n;
    size_t next;    /* first message no lane has taken */
    uint8_t domain; /* Keccak sponges: first padding byte, 0x01 Keccak or 0x06 SHA3 */
} px_hash_feed;

typedef struct px_hash_lane {
    const uint8_t *data; /* next unread byte of the message */
    size_t remaining;    /* unread bytes */
    size_t index;        /* output slot, or PX_LANE_IDLE */
    uint64_t bits;       /* SHA-256: message length in bits */
    int length_due;      /* SHA-256: 0x80 emitted, the length block is still due */
} px_hash_lane;

/* Gives the lane the next message; returns 0 (lane idle) when none is left. */
static inline int px_lane_take(px_hash_feed *feed, px_hash_lane *lane) {
    if (feed->next == feed->n) {
        lane->index = PX_LANE_IDLE;
        return 0;
    }
    size_t i = feed->next++;
    lane->data = feed->msgs[i];
    lane->remaining = feed->lens[i];
    lane->index = i;
    lane->bits = (uint64_t)feed->lens[i] * 8u;
    lane->length_due = 0;
    return 1;
}

/*
 * The lane's next rate block (136 bytes) of a Keccak[c=512] sponge: a pointer
 * into the message for a full block, or `scratch` holding the last bytes plus
 * padding `domain` ... 0x80 (pad10*1 after the domain bits). *final is set to
 * 1 for the padded block. A message of exactly k*136 bytes gets a
 * padding-only block.
 */
static inline const uint8_t *px_keccak_lane_block(px_hash_lane *lane, uint8_t domain,
                                                  uint8_t scratch[PX_KECCAK256_RATE],
                                                  int *final) {
    if (lane->remaining >= PX_KECCAK256_RATE) {
        const uint8_t *block = lane->data;
        lane->data += PX_KECCAK256_RATE;
        lane->remaining -= PX_KECCAK256_RATE;
        *final = 0;
        return block;
    }
    size_t r = lane->remaining;
    if (r) memcpy(scratch, lane->data, r);
    memset(scratch + r, 0, PX_KECCAK256_RATE - r);
    scratch[r] ^= domain;
    scratch[PX_KECCAK256_RATE - 1] ^= 0x80;
    lane->remaining = 0;
    *final = 1;
    return scratch;
}

static inline void px_store_be64(uint8_t *p, uint64_t v) {
    for (int i = 7; i >= 0; i--) {
        p[i] = (uint8_t)v;
        v >>= 8;
    }
}

/*
 * The lane's next SHA-256 block (64 bytes), FIPS 180-4 section 5.1.1: the
 * message, 0x80, zeros, and the 64-bit big-endian bit length in the last 8
 * bytes of the last block. When 56..63 bytes remain the 0x80 fits but the
 * length does not, and one more block of zeros and length follows.
 */
static inline const uint8_t *px_sha256_lane_block(px_hash_lane *lane,
                                                  uint8_t scratch[PX_SHA256_BLOCK],
                                                  int *final) {
    if (lane->length_due) {
        memset(scratch, 0, 56);
        px_store_be64(scratch + 56, lane->bits);
        lane->length_due = 0;
        *final = 1;
        return scratch;
    }
    if (lane->remaining >= PX_SHA256_BLOCK) {
        const uint8_t *block = lane->data;
        lane->data += PX_SHA256_BLOCK;
        lane->remaining -= PX_SHA256_BLOCK;
        *final = 0;
        return block;
    }
    size_t r = lane->remaining;
    if (r) memcpy(scratch, lane->data, r);
    scratch[r] = 0x80;
    lane->remaining = 0;
    if (r < 56) {
        memset(scratch + r + 1, 0, 55 - r);
        px_store_be64(scratch + 56, lane->bits);
        *final = 1;
    } else {
        memset(scratch + r + 1, 0, 63 - r);
        lane->length_due = 1;
        *final = 0;
    }
    return scratch;
}

static inline uint64_t px_load_le64(const uint8_t *p) {
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

static inline uint32_t px_load_be32(const uint8_t *p) {
    uint32_t v;
    memcpy(&v, p, 4);
    return __builtin_bswap32(v);
}

/* Kernels, one file each; dispatch lives in px_keccak.c and px_sha256.c. */
void px_keccak256_scalar(px_hash_feed *feed, uint8_t (*out)[32]);
void px_keccak256_avx2(px_hash_feed *feed, uint8_t (*out)[32]);
void px_keccak256_avx512(px_hash_feed *feed, uint8_t (*out)[32]);
void px_sha256_scalar(px_hash_feed *feed, uint8_t (*out)[32]);
void px_sha256_avx2(px_hash_feed *feed, uint8_t (*out)[32]);
void px_sha256_shani(px_hash_feed *feed, uint8_t (*out)[32]);

#endif /* PX_HASH_LANES_H */
