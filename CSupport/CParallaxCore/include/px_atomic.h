/*
 * px_atomic.h — explicit-order atomic operations on 64-bit words that live in
 * C-allocated, cache-line-aligned memory (see px_slots.h).
 *
 * Swift's `Synchronization.Atomic` needs a stable Swift-owned address; the
 * version slots and status words of Parallax live in NUMA-placed C arrays
 * instead, so their atomic accessors live here. Every function takes its memory
 * order explicitly: there is no default ordering, as in swift-atomics. The
 * functions are `static inline` so that, after inlining into Swift, the order
 * argument is a constant and the compiler emits exactly the requested fence.
 *
 * Each class of operation has its own order type, holding only the orders C11
 * allows for it: a load cannot be a release, a store cannot be an acquire, a
 * fence is never relaxed. Swift imports every C enum as a distinct type, so
 * `px_atomic_load(word, px_store_release)` does not compile there (in C the
 * enums convert implicitly, and clang warns: -Wimplicit-enum-enum-cast). The
 * enumerator values are the C11 `__ATOMIC_*` values, asserted below.
 *
 * Each switch names every enumerator of its type and has no `default:`, so
 * -Wswitch reports an order added to a type and not handled. The seq_cst case
 * falls out of the switch to the strongest operation: a value outside the type
 * (only a Swift `init(rawValue:)` or a C cast can make one) gets seq_cst, never
 * something weaker than asked.
 */
#ifndef PX_ATOMIC_H
#define PX_ATOMIC_H

#include <stdbool.h>
#include <stdint.h>

/* Orders a load may take. */
typedef enum px_load_order {
    px_load_relaxed = __ATOMIC_RELAXED,
    px_load_acquire = __ATOMIC_ACQUIRE,
    px_load_seq_cst = __ATOMIC_SEQ_CST,
} px_load_order;

/* Orders a store may take. */
typedef enum px_store_order {
    px_store_relaxed = __ATOMIC_RELAXED,
    px_store_release = __ATOMIC_RELEASE,
    px_store_seq_cst = __ATOMIC_SEQ_CST,
} px_store_order;

/* Orders a read-modify-write (fetch-op, exchange, CAS success) may take. */
typedef enum px_rmw_order {
    px_rmw_relaxed = __ATOMIC_RELAXED,
    px_rmw_acquire = __ATOMIC_ACQUIRE,
    px_rmw_release = __ATOMIC_RELEASE,
    px_rmw_acq_rel = __ATOMIC_ACQ_REL,
    px_rmw_seq_cst = __ATOMIC_SEQ_CST,
} px_rmw_order;

/* Orders a fence may take (a relaxed fence orders nothing, so there is none). */
typedef enum px_fence_order {
    px_fence_acquire = __ATOMIC_ACQUIRE,
    px_fence_release = __ATOMIC_RELEASE,
    px_fence_acq_rel = __ATOMIC_ACQ_REL,
    px_fence_seq_cst = __ATOMIC_SEQ_CST,
} px_fence_order;

_Static_assert(px_load_relaxed == __ATOMIC_RELAXED && px_load_acquire == __ATOMIC_ACQUIRE
                   && px_load_seq_cst == __ATOMIC_SEQ_CST,
               "load orders are the C11 values");
_Static_assert(px_store_relaxed == __ATOMIC_RELAXED && px_store_release == __ATOMIC_RELEASE
                   && px_store_seq_cst == __ATOMIC_SEQ_CST,
               "store orders are the C11 values");
_Static_assert(px_rmw_relaxed == __ATOMIC_RELAXED && px_rmw_acquire == __ATOMIC_ACQUIRE
                   && px_rmw_release == __ATOMIC_RELEASE && px_rmw_acq_rel == __ATOMIC_ACQ_REL
                   && px_rmw_seq_cst == __ATOMIC_SEQ_CST,
               "read-modify-write orders are the C11 values");
_Static_assert(px_fence_acquire == __ATOMIC_ACQUIRE && px_fence_release == __ATOMIC_RELEASE
                   && px_fence_acq_rel == __ATOMIC_ACQ_REL && px_fence_seq_cst == __ATOMIC_SEQ_CST,
               "fence orders are the C11 values");
_Static_assert(sizeof(px_load_order) == sizeof(int) && sizeof(px_store_order) == sizeof(int)
                   && sizeof(px_rmw_order) == sizeof(int) && sizeof(px_fence_order) == sizeof(int),
               "orders pass in one register, like the int of the builtins");
_Static_assert(sizeof(uint64_t) == 8, "version words are 64 bits");
_Static_assert(__atomic_always_lock_free(sizeof(uint64_t), 0),
               "64-bit atomics must be lock-free on this target");

static inline uint64_t px_atomic_load(const uint64_t *word, px_load_order order) {
    switch (order) {
    case px_load_relaxed: return __atomic_load_n(word, __ATOMIC_RELAXED);
    case px_load_acquire: return __atomic_load_n(word, __ATOMIC_ACQUIRE);
    case px_load_seq_cst: break;
    }
    return __atomic_load_n(word, __ATOMIC_SEQ_CST);
}

static inline void px_atomic_store(uint64_t *word, uint64_t value, px_store_order order) {
    switch (order) {
    case px_store_relaxed: __atomic_store_n(word, value, __ATOMIC_RELAXED); return;
    case px_store_release: __atomic_store_n(word, value, __ATOMIC_RELEASE); return;
    case px_store_seq_cst: break;
    }
    __atomic_store_n(word, value, __ATOMIC_SEQ_CST);
}

static inline uint64_t px_atomic_fetch_add(uint64_t *word, uint64_t delta, px_rmw_order order) {
    switch (order) {
    case px_rmw_relaxed: return __atomic_fetch_add(word, delta, __ATOMIC_RELAXED);
    case px_rmw_acquire: return __atomic_fetch_add(word, delta, __ATOMIC_ACQUIRE);
    case px_rmw_release: return __atomic_fetch_add(word, delta, __ATOMIC_RELEASE);
    case px_rmw_acq_rel: return __atomic_fetch_add(word, delta, __ATOMIC_ACQ_REL);
    case px_rmw_seq_cst: break;
    }
    return __atomic_fetch_add(word, delta, __ATOMIC_SEQ_CST);
}

static inline uint64_t px_atomic_fetch_or(uint64_t *word, uint64_t bits, px_rmw_order order) {
    switch (order) {
    case px_rmw_relaxed: return __atomic_fetch_or(word, bits, __ATOMIC_RELAXED);
    case px_rmw_acquire: return __atomic_fetch_or(word, bits, __ATOMIC_ACQUIRE);
    case px_rmw_release: return __atomic_fetch_or(word, bits, __ATOMIC_RELEASE);
    case px_rmw_acq_rel: return __atomic_fetch_or(word, bits, __ATOMIC_ACQ_REL);
    case px_rmw_seq_cst: break;
    }
    return __atomic_fetch_or(word, bits, __ATOMIC_SEQ_CST);
}

static inline uint64_t px_atomic_exchange(uint64_t *word, uint64_t value, px_rmw_order order) {
    switch (order) {
    case px_rmw_relaxed: return __atomic_exchange_n(word, value, __ATOMIC_RELAXED);
    case px_rmw_acquire: return __atomic_exchange_n(word, value, __ATOMIC_ACQUIRE);
    case px_rmw_release: return __atomic_exchange_n(word, value, __ATOMIC_RELEASE);
    case px_rmw_acq_rel: return __atomic_exchange_n(word, value, __ATOMIC_ACQ_REL);
    case px_rmw_seq_cst: break;
    }
    return __atomic_exchange_n(word, value, __ATOMIC_SEQ_CST);
}

/*
 * Strong compare-and-swap. On failure `*expected` receives the current value.
 * The failure order is not the caller's to choose: it is the strongest load
 * order no stronger than `success` (C11 forbids release and acq_rel as failure
 * orders): relaxed for relaxed and release, acquire for acquire and acq_rel,
 * seq_cst for seq_cst.
 */
static inline bool px_atomic_cas(uint64_t *word, uint64_t *expected, uint64_t desired,
                                 px_rmw_order success) {
    switch (success) {
    case px_rmw_relaxed:
        return __atomic_compare_exchange_n(word, expected, desired, false,
                                           __ATOMIC_RELAXED, __ATOMIC_RELAXED);
    case px_rmw_acquire:
        return __atomic_compare_exchange_n(word, expected, desired, false,
                                           __ATOMIC_ACQUIRE, __ATOMIC_ACQUIRE);
    case px_rmw_release:
        return __atomic_compare_exchange_n(word, expected, desired, false,
                                           __ATOMIC_RELEASE, __ATOMIC_RELAXED);
    case px_rmw_acq_rel:
        return __atomic_compare_exchange_n(word, expected, desired, false,
                                           __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
    case px_rmw_seq_cst: break;
    }
    return __atomic_compare_exchange_n(word, expected, desired, false,
                                       __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}

/*
 * Strong compare-and-swap that returns the value it found: the swap happened
 * exactly when the result equals `expected`. Taking `expected` by value keeps
 * it in a register on the caller's side (no address escapes to the stack).
 */
static inline uint64_t px_atomic_cas_value(uint64_t *word, uint64_t expected, uint64_t desired,
                                           px_rmw_order success) {
    px_atomic_cas(word, &expected, desired, success);
    return expected;
}

static inline void px_atomic_fence(px_fence_order order) {
    switch (order) {
    case px_fence_acquire: __atomic_thread_fence(__ATOMIC_ACQUIRE); return;
    case px_fence_release: __atomic_thread_fence(__ATOMIC_RELEASE); return;
    case px_fence_acq_rel: __atomic_thread_fence(__ATOMIC_ACQ_REL); return;
    case px_fence_seq_cst: break;
    }
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
}

/* A spin-wait hint (PAUSE on x86, YIELD on Arm); no memory effect. */
static inline void px_cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield" ::: "memory");
#endif
}

#endif /* PX_ATOMIC_H */
