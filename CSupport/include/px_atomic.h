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
 */
#ifndef PX_ATOMIC_H
#define PX_ATOMIC_H

#include <stdbool.h>
#include <stdint.h>

typedef enum px_memory_order {
    px_relaxed = __ATOMIC_RELAXED,
    px_acquire = __ATOMIC_ACQUIRE,
    px_release = __ATOMIC_RELEASE,
    px_acq_rel = __ATOMIC_ACQ_REL,
    px_seq_cst = __ATOMIC_SEQ_CST,
} px_memory_order;

_Static_assert(sizeof(uint64_t) == 8, "version words are 64 bits");
_Static_assert(__atomic_always_lock_free(sizeof(uint64_t), 0),
               "64-bit atomics must be lock-free on this target");

/* Load orders: relaxed, acquire or seq_cst. */
static inline uint64_t px_atomic_load(const uint64_t *word, px_memory_order order) {
    switch (order) {
    case px_relaxed: return __atomic_load_n(word, __ATOMIC_RELAXED);
    case px_acquire: return __atomic_load_n(word, __ATOMIC_ACQUIRE);
    default: return __atomic_load_n(word, __ATOMIC_SEQ_CST);
    }
}

/* Store orders: relaxed, release or seq_cst. */
static inline void px_atomic_store(uint64_t *word, uint64_t value, px_memory_order order) {
    switch (order) {
    case px_relaxed: __atomic_store_n(word, value, __ATOMIC_RELAXED); break;
    case px_release: __atomic_store_n(word, value, __ATOMIC_RELEASE); break;
    default: __atomic_store_n(word, value, __ATOMIC_SEQ_CST); break;
    }
}

static inline uint64_t px_atomic_fetch_add(uint64_t *word, uint64_t delta, px_memory_order order) {
    switch (order) {
    case px_relaxed: return __atomic_fetch_add(word, delta, __ATOMIC_RELAXED);
    case px_acquire: return __atomic_fetch_add(word, delta, __ATOMIC_ACQUIRE);
    case px_release: return __atomic_fetch_add(word, delta, __ATOMIC_RELEASE);
    case px_acq_rel: return __atomic_fetch_add(word, delta, __ATOMIC_ACQ_REL);
    default: return __atomic_fetch_add(word, delta, __ATOMIC_SEQ_CST);
    }
}

static inline uint64_t px_atomic_fetch_or(uint64_t *word, uint64_t bits, px_memory_order order) {
    switch (order) {
    case px_relaxed: return __atomic_fetch_or(word, bits, __ATOMIC_RELAXED);
    case px_acquire: return __atomic_fetch_or(word, bits, __ATOMIC_ACQUIRE);
    case px_release: return __atomic_fetch_or(word, bits, __ATOMIC_RELEASE);
    case px_acq_rel: return __atomic_fetch_or(word, bits, __ATOMIC_ACQ_REL);
    default: return __atomic_fetch_or(word, bits, __ATOMIC_SEQ_CST);
    }
}

static inline uint64_t px_atomic_exchange(uint64_t *word, uint64_t value, px_memory_order order) {
    switch (order) {
    case px_relaxed: return __atomic_exchange_n(word, value, __ATOMIC_RELAXED);
    case px_acquire: return __atomic_exchange_n(word, value, __ATOMIC_ACQUIRE);
    case px_release: return __atomic_exchange_n(word, value, __ATOMIC_RELEASE);
    case px_acq_rel: return __atomic_exchange_n(word, value, __ATOMIC_ACQ_REL);
    default: return __atomic_exchange_n(word, value, __ATOMIC_SEQ_CST);
    }
}

/*
 * Strong compare-and-swap. On failure `*expected` receives the current value.
 * The failure order is the strongest order allowed for a load no stronger than
 * `success` (C11 forbids release/acq_rel as failure orders).
 */
static inline bool px_atomic_cas(uint64_t *word, uint64_t *expected, uint64_t desired,
                                 px_memory_order success) {
    switch (success) {
    case px_relaxed:
        return __atomic_compare_exchange_n(word, expected, desired, false,
                                           __ATOMIC_RELAXED, __ATOMIC_RELAXED);
    case px_acquire:
        return __atomic_compare_exchange_n(word, expected, desired, false,
                                           __ATOMIC_ACQUIRE, __ATOMIC_ACQUIRE);
    case px_release:
        return __atomic_compare_exchange_n(word, expected, desired, false,
                                           __ATOMIC_RELEASE, __ATOMIC_RELAXED);
    case px_acq_rel:
        return __atomic_compare_exchange_n(word, expected, desired, false,
                                           __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
    default:
        return __atomic_compare_exchange_n(word, expected, desired, false,
                                           __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    }
}

/*
 * Strong compare-and-swap that returns the value it found: the swap happened
 * exactly when the result equals `expected`. Taking `expected` by value keeps
 * it in a register on the caller's side (no address escapes to the stack).
 */
static inline uint64_t px_atomic_cas_value(uint64_t *word, uint64_t expected, uint64_t desired,
                                           px_memory_order success) {
    px_atomic_cas(word, &expected, desired, success);
    return expected;
}

static inline void px_atomic_fence(px_memory_order order) {
    switch (order) {
    case px_relaxed: break;
    case px_acquire: __atomic_thread_fence(__ATOMIC_ACQUIRE); break;
    case px_release: __atomic_thread_fence(__ATOMIC_RELEASE); break;
    case px_acq_rel: __atomic_thread_fence(__ATOMIC_ACQ_REL); break;
    default: __atomic_thread_fence(__ATOMIC_SEQ_CST); break;
    }
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
