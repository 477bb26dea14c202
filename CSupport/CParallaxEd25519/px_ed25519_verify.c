/*
 * Ed25519 verification, single and batched: see include/px_ed25519.h for the rule.
 *
 * Algorithm: a chunk of up to PX_ED25519_CHUNK signatures is checked byte-wise,
 * then all its points are decoded together (the exponentiations go through
 * px_fe_pow_p58_many, IFMA-vectorized where available). Each signature that
 * decodes becomes an "entry": -A and -R, tables of their odd multiples (1..15,
 * cached coordinates), width-5 NAFs of the random z and of z h mod L, and z S
 * mod L. A group of entries is checked with one Straus (interleaved window)
 * multi-scalar multiplication whose doublings are shared: the base point uses a
 * fixed width-8 table, every other point its own width-5 table (Bernstein, Duif,
 * Lange, Schwabe, Yang, "High-speed high-security signatures", §5, for the batch
 * equation; Straus 1964 / Möller 2001 for the interleaving). The sum is
 * multiplied by 8 and compared with the identity. A failing group is split in
 * halves; if the left half passes, the right half is known to fail (the two
 * halves' sums add up to the whole), which saves one check per level, and a
 * bad signature never takes a good one down with it.
 *
 * The single verifier is the same check on one entry with z = 1, so its equation
 * is exactly [8]([S]B - R - [h]A) = 0.
 */
#include "px_ed25519.h"
#include "px_cpu.h"
#include "px_ed25519_batch.h"
#include "px_ed25519_group.h"
#include "px_ed25519_scalar.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(PX_ED25519_CHUNK >= 1 && PX_ED25519_CHUNK <= PX_ED25519_CHUNK_BUCKETS,
               "the bucket chunk is the larger one");

typedef px_ed25519_entry entry;
#define WINDOW PX_ED25519_WINDOW
#define TABLE_SIZE PX_ED25519_TABLE_SIZE

static void build_table(px_ge_cached table[TABLE_SIZE], const px_ge *p) {
    const px_fe *d2 = &px_ed25519_constants_get()->d2;
    px_ge p2, cur = *p;
    px_ge_cached p2c;
    px_ge_completed t;
    px_ge_double(&t, p);
    px_ge_from_completed(&p2, &t);
    px_ge_to_cached(&p2c, &p2, d2);
    px_ge_to_cached(&table[0], &cur, d2);
    for (int i = 1; i < TABLE_SIZE; i++) {
        px_ge_add_cached(&t, &cur, &p2c);
        px_ge_from_completed(&cur, &t);
        px_ge_to_cached(&table[i], &cur, d2);
    }
}

/* The checks on the bytes alone (everything but "decodes to a curve point"). */
static px_ed25519_verdict check_encodings(const uint8_t pk[32], const uint8_t sig[64]) {
    if (!px_sc_is_canonical(sig + 32)) return px_ed25519_s_not_reduced;
    if (!px_ge_is_canonical_encoding(pk)) return px_ed25519_key_not_canonical;
    if (px_ge_has_small_order_encoding(pk)) return px_ed25519_key_small_order;
    if (!px_ge_is_canonical_encoding(sig)) return px_ed25519_r_not_canonical;
    if (px_ge_has_small_order_encoding(sig)) return px_ed25519_r_small_order;
    return px_ed25519_valid;
}

/* Width-5 NAFs of an entry's z and z h, for the Straus walks. */
static void recode(entry *e) {
    e->top_z = px_sc_naf(e->naf_z, &e->z, WINDOW);
    e->top_zh = px_sc_naf(e->naf_zh, &e->zh, WINDOW);
}

/* Challenge, scalars, recodings (unless the AVX2 path makes them when a
 * Straus walk needs them) and (unless a vector path builds them) tables of a
 * signature whose points decoded. */
static void prepare(entry *e, const uint8_t pk[32], const uint8_t sig[64], const uint8_t *msg,
                    size_t len, const px_sc *z, const px_ge *neg_a, const px_ge *neg_r,
                    int scalar_tables, int naf) {
    crypto_hash_sha512_state hs;
    uint8_t digest[64];
    crypto_hash_sha512_init(&hs);
    crypto_hash_sha512_update(&hs, sig, 32);
    crypto_hash_sha512_update(&hs, pk, 32);
    crypto_hash_sha512_update(&hs, msg, len);
    crypto_hash_sha512_final(&hs, digest);
    px_sc h, zh, s;
    px_sc_reduce512(&h, digest);
    px_sc_mul(&zh, z, &h);
    px_sc_from_bytes(&s, sig + 32);
    px_sc_mul(&e->zs, z, &s);
    e->z = *z;
    e->zh = zh;
    if (naf) recode(e);
    if (scalar_tables) {
        build_table(e->neg_r, neg_r);
        build_table(e->neg_a, neg_a);
    }
}

static inline void add_digit(px_ge_completed *t, px_ge *r, const px_ge_cached *table, int d) {
    px_ge_from_completed(r, t);
    if (d > 0) px_ge_add_cached(t, r, &table[d >> 1]);
    else px_ge_sub_cached(t, r, &table[(-d) >> 1]);
}

int px_ed25519_group_base(const px_ed25519_entry *entries, size_t lo, size_t hi, int8_t naf_base[256]) {
    px_sc base = { { 0, 0, 0, 0 } };
    int top = 0;
    for (size_t j = lo; j < hi; j++) {
        const px_ed25519_entry *e = &entries[j];
        px_sc_add(&base, &base, &e->zs);
        if (e->top_z > top) top = e->top_z;
        if (e->top_zh > top) top = e->top_zh;
    }
    int top_base = px_sc_naf(naf_base, &base, 8);
    return top_base > top ? top_base : top;
}

/* 1 iff [8](sum over entries[lo..hi) of z([S]B - R - [h]A)) = 0. */
static int check_group(const entry *entries, size_t lo, size_t hi) {
    const px_ed25519_constants *k = px_ed25519_constants_get();
    int8_t naf_base[256];
    int top = px_ed25519_group_base(entries, lo, hi, naf_base);

    px_ge r;
    px_ge_completed t;
    px_ge_identity(&r);
    for (int i = top - 1; i >= 0; i--) {
        px_ge_double(&t, &r);
        for (size_t j = lo; j < hi; j++) {
            const entry *e = &entries[j];
            int dz = e->naf_z[i], dh = e->naf_zh[i];
            if (dz) add_digit(&t, &r, e->neg_r, dz);
            if (dh) add_digit(&t, &r, e->neg_a, dh);
        }
        int db = naf_base[i];
        if (db) {
            px_ge_from_completed(&r, &t);
            if (db > 0) px_ge_add_affine(&t, &r, &k->base_odd[db >> 1]);
            else px_ge_sub_affine(&t, &r, &k->base_odd[(-db) >> 1]);
        }
        px_ge_from_completed_xyz(&r, &t);
    }
    for (int i = 0; i < 3; i++) {
        px_ge_double(&t, &r);
        px_ge_from_completed_xyz(&r, &t);
    }
    return px_fe_is_zero(&r.X) && px_fe_equal(&r.Y, &r.Z);
}

/* The code path of a chunk: portable, AVX-512 IFMA or AVX2. */
typedef enum path { path_portable, path_ifma, path_avx2 } path;

/* The AVX2 path's multiplication method for a group of n signatures: the
 * bucket window (0 for the interleaved Straus walk). `forced`: the caller's
 * choice (px_ed25519_verify_batch_tuned), 0 for the measured default. */
static int bucket_window(size_t n, int forced) {
    if (forced == 1) return 0;
    if (forced >= 4) return n >= 2 ? forced : 0;
    if (n < PX_ED25519_BUCKETS_FROM) return 0;
    /* Measured (docs/signatures.md): windows 6 to 8 within 2% at 256, 7 and 8
     * at 512, 8 best at 1024 (chunks stop there). */
    return n < 512 ? 7 : 8;
}

/* A chunk's entries and how to check a group of them: `vtables` holds the IFMA
 * tables, `v25tables` the AVX2 ones; the portable path keeps its tables in the
 * entries. On the AVX2 path the bucket method reads only each point's first
 * multiple, so the tables are completed (`tables_ready`) only when a group
 * is checked with the Straus walk. */
typedef struct group_checker {
    entry *entries;
    path path;
    const px_v52_cached *vtables;
    px_v25_cached *v25tables;
    const px_v25_cached *v25points; /* AVX2 bucket method: each point in cached form */
    const px_ge *points;
    size_t point_count;
    int tables_ready;
    int window; /* the caller's choice of method, see bucket_window */
} group_checker;

static int check(group_checker *gc, size_t lo, size_t hi) {
    switch (gc->path) {
    case path_ifma: return px_ed25519_check_group_ifma(gc->entries, gc->vtables, lo, hi);
    case path_avx2: {
        int c = bucket_window(hi - lo, gc->window);
        if (c) {
            int r = px_ed25519_check_group_buckets_avx2(gc->entries, gc->v25points, lo, hi, c);
            if (r >= 0) return r;
            /* No scratch space for the buckets: the Straus walk needs none. */
        }
        if (!gc->tables_ready) {
            px_ed25519_tables_avx2(gc->v25tables, gc->points, gc->point_count);
            for (size_t j = 0; j < gc->point_count / 2; j++) recode(&gc->entries[j]);
            gc->tables_ready = 1;
        }
        return px_ed25519_check_group_avx2(gc->entries, gc->v25tables, lo, hi);
    }
    case path_portable: break;
    }
    return check_group(gc->entries, lo, hi);
}

/* Verdicts for entries[lo..hi), signature positions[j] for entry j; known_bad:
 * the caller already knows the group fails. */
static void bisect(group_checker *gc, const size_t *positions,
                   size_t lo, size_t hi, int known_bad, uint8_t *verdicts) {
    if (!known_bad && check(gc, lo, hi)) {
        for (size_t j = lo; j < hi; j++) verdicts[positions[j]] = px_ed25519_valid;
        return;
    }
    if (hi - lo == 1) {
        verdicts[positions[lo]] = px_ed25519_equation_fails;
        return;
    }
    size_t mid = lo + (hi - lo) / 2;
    int left_ok = check(gc, lo, mid);
    if (left_ok) {
        for (size_t j = lo; j < mid; j++) verdicts[positions[j]] = px_ed25519_valid;
    } else {
        bisect(gc, positions, lo, mid, 1, verdicts);
    }
    /* The whole fails; if the left half passes, the right half must fail. */
    bisect(gc, positions, mid, hi, left_ok, verdicts);
}

px_ed25519_verdict px_ed25519_verify(const uint8_t public_key[32], const uint8_t signature[64],
                                     const uint8_t *message, size_t message_length) {
    return px_ed25519_verify_with(public_key, signature, message, message_length, px_cpu_features());
}

px_ed25519_verdict px_ed25519_verify_with(const uint8_t public_key[32], const uint8_t signature[64],
                                          const uint8_t *message, size_t message_length, uint32_t features) {
    px_ed25519_verdict v = check_encodings(public_key, signature);
    if (v != px_ed25519_valid) return v;
    px_ge neg_a, neg_r;
    entry e;
    px_sc one = { { 1, 0, 0, 0 } };
    const uint32_t ifma = px_cpu_avx512f | px_cpu_avx512ifma;
    if ((features & ifma) != ifma && (features & px_cpu_avx2)) {
        /* AVX2 without IFMA: both decodings' exponentiations in one vector,
         * then the four coordinates of each point in the lanes. */
        px_ge_decoding dec[2];
        px_fe powers[2];
        px_ge_decode_begin(&dec[0], &powers[0], public_key);
        px_ge_decode_begin(&dec[1], &powers[1], signature);
        px_fe_pow_p58_many(powers, powers, 2, features);
        if (px_ge_decode_finish(&neg_a, &dec[0], &powers[0], public_key, 1) != 0) return px_ed25519_key_not_on_curve;
        if (px_ge_decode_finish(&neg_r, &dec[1], &powers[1], signature, 1) != 0) return px_ed25519_r_not_on_curve;
        prepare(&e, public_key, signature, message, message_length, &one, &neg_a, &neg_r, 0, 1);
        int8_t naf_s[256];
        int top = px_sc_naf(naf_s, &e.zs, 8);
        if (e.top_zh > top) top = e.top_zh;
        return px_ed25519_check_single_avx2(&neg_a, &neg_r, e.naf_zh, naf_s, top) ? px_ed25519_valid
                                                                                  : px_ed25519_equation_fails;
    }
    if (px_ge_decode(&neg_a, public_key, 1) != 0) return px_ed25519_key_not_on_curve;
    if (px_ge_decode(&neg_r, signature, 1) != 0) return px_ed25519_r_not_on_curve;
    prepare(&e, public_key, signature, message, message_length, &one, &neg_a, &neg_r, 1, 1);
    return check_group(&e, 0, 1) ? px_ed25519_valid : px_ed25519_equation_fails;
}

/* Scratch space of one chunk: entries, and decodings in flight. */
typedef struct workspace {
    entry *entries;
    px_ge_decoding *decodings; /* 2 per signature: A, then R */
    px_fe *powers;             /* 2 per signature */
    px_ge *points;             /* vector paths: -R, -A per entry */
    px_v52_cached *vtables;    /* IFMA path: 2 tables per entry */
    px_v25_cached *v25tables;  /* AVX2 path: 2 tables per entry (shares vtables' space) */
    px_v25_cached *v25points;  /* AVX2 bucket method: -R, -A per entry */
    size_t *positions;         /* 1 per signature */
    uint8_t *coefficients;     /* 16 bytes per signature */
    int window;                /* px_ed25519_verify_batch_tuned's choice */
} workspace;

static void verify_chunk(workspace *ws, size_t start, size_t end, const uint8_t *public_keys,
                         const uint8_t *signatures, const uint8_t *messages, const size_t *offsets,
                         uint8_t *verdicts, uint32_t features) {
    /* Byte checks, then every exponentiation of the chunk in one call. */
    size_t m = 0;
    for (size_t i = start; i < end; i++) {
        const uint8_t *pk = public_keys + 32 * i, *sig = signatures + 64 * i;
        px_ed25519_verdict v = check_encodings(pk, sig);
        if (v != px_ed25519_valid) {
            verdicts[i] = (uint8_t)v;
            continue;
        }
        px_ge_decode_begin(&ws->decodings[2 * m], &ws->powers[2 * m], pk);
        px_ge_decode_begin(&ws->decodings[2 * m + 1], &ws->powers[2 * m + 1], sig);
        ws->positions[m++] = i;
    }
    px_fe_pow_p58_many(ws->powers, ws->powers, 2 * m, features);
    /* The vector paths double four or eight lanes at every bit: for one
     * signature the portable path is cheaper. IFMA wins over AVX2. */
    const uint32_t ifma = px_cpu_avx512f | px_cpu_avx512ifma;
    path chosen = path_portable;
    if (m >= 2) {
        if ((features & ifma) == ifma) chosen = path_ifma;
        else if (features & px_cpu_avx2) chosen = path_avx2;
    }
    int vector = chosen != path_portable;
    size_t n = 0;
    for (size_t j = 0; j < m; j++) {
        size_t i = ws->positions[j];
        const uint8_t *pk = public_keys + 32 * i, *sig = signatures + 64 * i;
        px_ge neg_a, neg_r;
        if (px_ge_decode_finish(&neg_a, &ws->decodings[2 * j], &ws->powers[2 * j], pk, 1) != 0) {
            verdicts[i] = px_ed25519_key_not_on_curve;
            continue;
        }
        if (px_ge_decode_finish(&neg_r, &ws->decodings[2 * j + 1], &ws->powers[2 * j + 1], sig, 1) != 0) {
            verdicts[i] = px_ed25519_r_not_on_curve;
            continue;
        }
        px_sc z = { { 0, 0, 0, 0 } };
        memcpy(z.v, ws->coefficients + 16 * (i - start), 16);
        z.v[0] |= 1; /* z != 0 (mod L): an entry can never drop out of the sum */
        prepare(&ws->entries[n], pk, sig, messages + offsets[i], offsets[i + 1] - offsets[i], &z,
                &neg_a, &neg_r, !vector, chosen != path_avx2);
        if (vector) {
            ws->points[2 * n] = neg_r;
            ws->points[2 * n + 1] = neg_a;
        }
        ws->positions[n++] = i; /* n <= j: overwrites only consumed slots */
    }
    if (n == 0) return;
    if (chosen == path_ifma) px_ed25519_tables_ifma(ws->vtables, ws->points, 2 * n);
    group_checker gc = { ws->entries, chosen, ws->vtables, ws->v25tables, ws->v25points, ws->points, 2 * n, 0,
                         ws->window };
    if (chosen == path_avx2) {
        if (bucket_window(n, ws->window)) {
            px_ed25519_cached_points_avx2(ws->v25points, ws->points, 2 * n);
        } else {
            px_ed25519_tables_avx2(ws->v25tables, ws->points, 2 * n);
            for (size_t j = 0; j < n; j++) recode(&ws->entries[j]);
            gc.tables_ready = 1;
        }
    }
    bisect(&gc, ws->positions, 0, n, 0, verdicts);
}

int px_ed25519_verify_batch(size_t count, const uint8_t *public_keys, const uint8_t *signatures,
                            const uint8_t *messages, const size_t *offsets,
                            const uint8_t seed[32], uint8_t *verdicts) {
    return px_ed25519_verify_batch_with(count, public_keys, signatures, messages, offsets, seed,
                                        verdicts, px_cpu_features());
}

int px_ed25519_verify_batch_with(size_t count, const uint8_t *public_keys, const uint8_t *signatures,
                                 const uint8_t *messages, const size_t *offsets,
                                 const uint8_t seed[32], uint8_t *verdicts, uint32_t features) {
    return px_ed25519_verify_batch_tuned(count, public_keys, signatures, messages, offsets, seed, verdicts,
                                         features, 0, 0);
}

size_t px_ed25519_preferred_batch(uint32_t features) {
    const uint32_t ifma = px_cpu_avx512f | px_cpu_avx512ifma;
    int avx2 = (features & ifma) != ifma && (features & px_cpu_avx2);
    return avx2 ? 512 : PX_ED25519_CHUNK;
}

int px_ed25519_verify_batch_tuned(size_t count, const uint8_t *public_keys, const uint8_t *signatures,
                                  const uint8_t *messages, const size_t *offsets,
                                  const uint8_t seed[32], uint8_t *verdicts, uint32_t features,
                                  size_t max_chunk, int window) {
    if (count == 0) return 0;
    if (window != 0 && window != 1 && (window < 4 || window > 10)) return -1;
    /* The AVX2 path (AVX2 without IFMA) takes chunks of up to
     * PX_ED25519_CHUNK_BUCKETS for the bucket method; the others
     * PX_ED25519_CHUNK. Chunks are balanced: 300 is one chunk, 1500 two of 750. */
    const uint32_t ifma = px_cpu_avx512f | px_cpu_avx512ifma;
    int avx2 = (features & ifma) != ifma && (features & px_cpu_avx2);
    size_t limit = max_chunk ? max_chunk : avx2 && window != 1 ? PX_ED25519_CHUNK_BUCKETS : PX_ED25519_CHUNK;
    if (limit > PX_ED25519_CHUNK_BUCKETS) limit = PX_ED25519_CHUNK_BUCKETS;
    size_t chunks = (count + limit - 1) / limit;
    size_t chunk = (count + chunks - 1) / chunks;
    workspace ws;
    ws.window = window;
    /* One allocation: entries first (their alignment is the strictest). */
    size_t entries_bytes = chunk * sizeof(entry);
    size_t decodings_bytes = 2 * chunk * sizeof(px_ge_decoding);
    size_t powers_bytes = 2 * chunk * sizeof(px_fe);
    size_t points_bytes = 2 * chunk * sizeof(px_ge);
    _Static_assert(sizeof(px_v25_cached) <= sizeof(px_v52_cached), "the AVX2 tables fit the IFMA tables' space");
    size_t vtables_bytes = 2 * PX_ED25519_TABLE_SIZE * chunk * sizeof(px_v52_cached);
    size_t v25points_bytes = 2 * chunk * sizeof(px_v25_cached);
    size_t positions_bytes = chunk * sizeof(size_t);
    unsigned char *block = malloc(entries_bytes + decodings_bytes + powers_bytes + points_bytes + vtables_bytes
                                  + v25points_bytes + positions_bytes + 16 * chunk);
    if (block == NULL) return -1;
    ws.entries = (entry *)block;
    ws.decodings = (px_ge_decoding *)(block + entries_bytes);
    ws.powers = (px_fe *)(block + entries_bytes + decodings_bytes);
    ws.points = (px_ge *)(block + entries_bytes + decodings_bytes + powers_bytes);
    ws.vtables = (px_v52_cached *)(block + entries_bytes + decodings_bytes + powers_bytes + points_bytes);
    ws.v25tables = (px_v25_cached *)ws.vtables;
    ws.v25points = (px_v25_cached *)((unsigned char *)ws.vtables + vtables_bytes);
    ws.positions = (size_t *)((unsigned char *)ws.v25points + v25points_bytes);
    ws.coefficients = (uint8_t *)ws.positions + positions_bytes;
    for (size_t start = 0; start < count; start += chunk) {
        size_t end = start + chunk < count ? start + chunk : count;
        /* Coefficients: ChaCha20 keyed by the seed, one nonce per chunk. */
        uint8_t nonce[8];
        uint64_t chunk_index = start / chunk;
        memcpy(nonce, &chunk_index, 8);
        crypto_stream_chacha20(ws.coefficients, 16 * (end - start), nonce, seed);
        verify_chunk(&ws, start, end, public_keys, signatures, messages, offsets, verdicts, features);
    }
    free(block);
    return 0;
}

void px_ed25519_small_order_point(unsigned k, uint8_t out[32]) {
    const px_ed25519_constants *c = px_ed25519_constants_get();
    px_ge p;
    px_ge_identity(&p);
    for (unsigned i = 0; i < (k & 7); i++) px_ge_add_points(&p, &p, &c->torsion8);
    px_ge_encode(out, &p);
}
