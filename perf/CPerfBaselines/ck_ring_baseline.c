/* ck_ring MPMC baseline: see include/CPerfBaselines.h. */
#include "CPerfBaselines.h"

#include <ck_ring.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

struct shared {
    ck_ring_t ring __attribute__((aligned(128)));
    ck_ring_buffer_t *buffer;
    pthread_barrier_t start;
    uint64_t per_producer;
    uint64_t remainder;
    uint64_t consumed __attribute__((aligned(128)));
    uint64_t total;
};

struct role {
    struct shared *shared;
    unsigned index;
    uint64_t sum;
    pthread_t thread;
};

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void *produce(void *argument) {
    struct role *role = argument;
    struct shared *shared = role->shared;
    uint64_t count = shared->per_producer + (role->index == 0 ? shared->remainder : 0);
    uint64_t base = (uint64_t)role->index << 40;
    pthread_barrier_wait(&shared->start);
    for (uint64_t i = 1; i <= count; i++) {
        uintptr_t value = (uintptr_t)(base + i);
        while (!ck_ring_enqueue_mpmc(&shared->ring, shared->buffer, (void *)value))
            __builtin_ia32_pause();
    }
    return NULL;
}

static void *consume(void *argument) {
    struct role *role = argument;
    struct shared *shared = role->shared;
    pthread_barrier_wait(&shared->start);
    uint64_t sum = 0;
    for (;;) {
        void *value;
        if (ck_ring_trydequeue_mpmc(&shared->ring, shared->buffer, &value)) {
            sum += (uintptr_t)value;
            if (__atomic_add_fetch(&shared->consumed, 1, __ATOMIC_RELAXED) >= shared->total) break;
        } else if (__atomic_load_n(&shared->consumed, __ATOMIC_RELAXED) >= shared->total) {
            break;
        } else {
            __builtin_ia32_pause();
        }
    }
    role->sum = sum;
    return NULL;
}

double pxb_ck_ring_run(unsigned producers, unsigned consumers, uint64_t items,
                       unsigned ring_size, uint64_t *checksum) {
    if (ring_size < 4 || (ring_size & (ring_size - 1)) != 0 || items == 0) return -1;
    if (consumers > 0 && producers == 0) return -1;
    struct shared *shared = aligned_alloc(128, (sizeof *shared + 127) & ~(size_t)127);
    if (shared == NULL) return -1;
    shared->buffer = aligned_alloc(128, sizeof(ck_ring_buffer_t) * ring_size);
    if (shared->buffer == NULL) { free(shared); return -1; }
    ck_ring_init(&shared->ring, ring_size);
    shared->consumed = 0;
    shared->total = items;
    uint64_t sum = 0;
    double elapsed;

    if (consumers == 0) {
        /* One thread: enqueue then dequeue, in turn. */
        double start = now_seconds();
        for (uint64_t i = 1; i <= items; i++) {
            void *value;
            ck_ring_enqueue_mpmc(&shared->ring, shared->buffer, (void *)(uintptr_t)i);
            ck_ring_trydequeue_mpmc(&shared->ring, shared->buffer, &value);
            sum += (uintptr_t)value;
        }
        elapsed = now_seconds() - start;
    } else {
        shared->per_producer = items / producers;
        shared->remainder = items % producers;
        unsigned threads = producers + consumers;
        struct role *roles = calloc(threads, sizeof *roles);
        if (roles == NULL) { free(shared->buffer); free(shared); return -1; }
        pthread_barrier_init(&shared->start, NULL, threads + 1);
        unsigned started = 0;
        for (unsigned t = 0; t < threads; t++) {
            roles[t].shared = shared;
            roles[t].index = t < producers ? t : t - producers;
            if (pthread_create(&roles[t].thread, NULL, t < producers ? produce : consume, &roles[t]) != 0) break;
            started++;
        }
        if (started != threads) {
            /* Cannot run a partial benchmark: the barrier would never open. */
            abort();
        }
        pthread_barrier_wait(&shared->start);
        double start = now_seconds();
        for (unsigned t = 0; t < threads; t++) pthread_join(roles[t].thread, NULL);
        elapsed = now_seconds() - start;
        for (unsigned t = producers; t < threads; t++) sum += roles[t].sum;
        pthread_barrier_destroy(&shared->start);
        free(roles);
    }
    *checksum = sum;
    free(shared->buffer);
    free(shared);
    return elapsed;
}
