/*
 * px_sync.h — parking for blocking queue operations: 32-bit futex words with
 * explicit-order atomics, and FUTEX_WAIT/FUTEX_WAKE (private) wrappers.
 *
 * A parked thread sleeps in the kernel on a futex word, so an idle consumer
 * costs no CPU. Wake-ups pair with the waiter's re-check as documented in
 * MPMCQueue.swift.
 */
#ifndef PX_SYNC_H
#define PX_SYNC_H

#include <stdint.h>
#include "px_atomic.h"

_Static_assert(sizeof(uint32_t) == 4, "the kernel's futex word is 32 bits");
_Static_assert(__atomic_always_lock_free(sizeof(uint32_t), 0),
               "32-bit atomics must be lock-free on this target");

/* 32-bit counterparts of px_atomic.h, with its order types (see there). */
static inline uint32_t px_atomic32_load(const uint32_t *word, px_load_order order) {
    switch (order) {
    case px_load_relaxed: return __atomic_load_n(word, __ATOMIC_RELAXED);
    case px_load_acquire: return __atomic_load_n(word, __ATOMIC_ACQUIRE);
    case px_load_seq_cst: break;
    }
    return __atomic_load_n(word, __ATOMIC_SEQ_CST);
}

static inline uint32_t px_atomic32_fetch_add(uint32_t *word, uint32_t delta, px_rmw_order order) {
    switch (order) {
    case px_rmw_relaxed: return __atomic_fetch_add(word, delta, __ATOMIC_RELAXED);
    case px_rmw_acquire: return __atomic_fetch_add(word, delta, __ATOMIC_ACQUIRE);
    case px_rmw_release: return __atomic_fetch_add(word, delta, __ATOMIC_RELEASE);
    case px_rmw_acq_rel: return __atomic_fetch_add(word, delta, __ATOMIC_ACQ_REL);
    case px_rmw_seq_cst: break;
    }
    return __atomic_fetch_add(word, delta, __ATOMIC_SEQ_CST);
}

static inline uint32_t px_atomic32_fetch_sub(uint32_t *word, uint32_t delta, px_rmw_order order) {
    switch (order) {
    case px_rmw_relaxed: return __atomic_fetch_sub(word, delta, __ATOMIC_RELAXED);
    case px_rmw_acquire: return __atomic_fetch_sub(word, delta, __ATOMIC_ACQUIRE);
    case px_rmw_release: return __atomic_fetch_sub(word, delta, __ATOMIC_RELEASE);
    case px_rmw_acq_rel: return __atomic_fetch_sub(word, delta, __ATOMIC_ACQ_REL);
    case px_rmw_seq_cst: break;
    }
    return __atomic_fetch_sub(word, delta, __ATOMIC_SEQ_CST);
}

/*
 * Sleeps while `*word == expected`, for at most `timeout_ns` nanoseconds
 * (negative: no limit). Returns 0 when woken or when the word already differed,
 * 1 on timeout; spurious returns are possible, so callers re-check.
 */
int px_futex_wait(uint32_t *word, uint32_t expected, int64_t timeout_ns);
/* Wakes up to `count` threads sleeping on `word`; returns how many woke. */
int px_futex_wake(uint32_t *word, int count);

/* Gives up the CPU to another runnable thread. */
void px_thread_yield(void);

#endif /* PX_SYNC_H */
