/*
 * px_slots.h — arrays of cache-line-aligned slots, optionally placed on a NUMA
 * node.
 *
 * A slot is one cache line (64 bytes) or two adjacent lines (128 bytes, for
 * machines whose L2 prefetcher pulls line pairs, so that neighbours do not
 * false-share through the prefetcher). Each slot holds `line_size / 8` 64-bit
 * words accessed with px_atomic.h. Swift sees an opaque `px_slot_array *` and
 * raw word pointers, never an aligned struct by value.
 *
 * Placement: with libnuma present and `numa_node >= 0`, the memory is bound to
 * that node (numa_alloc_onnode: page-aligned, so every slot is line-aligned).
 * Without NUMA support, or with `numa_node < 0`, it comes from aligned_alloc.
 * The array is zero-filled either way.
 */
#ifndef PX_SLOTS_H
#define PX_SLOTS_H

#include <stddef.h>
#include <stdint.h>

#define PX_CACHE_LINE 64
#define PX_CACHE_LINE_PAIR 128
#define PX_NODE_ANY (-1)

typedef struct px_slot_array px_slot_array;

/* How the memory of an array was obtained. */
typedef enum px_placement {
    px_placement_heap = 0,      /* aligned_alloc: no NUMA binding */
    px_placement_numa_node = 1, /* numa_alloc_onnode: bound to the requested node */
} px_placement;

/*
 * Allocates `count` zeroed slots of `line_size` bytes (64 or 128). Returns NULL
 * with errno = EINVAL for a bad line size or a zero count, ENOMEM when the
 * memory cannot be had, or ERANGE when `count * line_size` overflows.
 */
px_slot_array *px_slots_create(size_t count, size_t line_size, int numa_node);
void px_slots_destroy(px_slot_array *array);

size_t px_slots_count(const px_slot_array *array);
size_t px_slots_line_size(const px_slot_array *array);
size_t px_slots_words_per_slot(const px_slot_array *array);
px_placement px_slots_placement(const px_slot_array *array);
/* The node the memory was bound to, or PX_NODE_ANY for heap placement. */
int px_slots_node(const px_slot_array *array);

/* Base address of the slot memory (line_size-aligned). */
void *px_slots_base(const px_slot_array *array);

/* Address of word `word` of slot `index`; no bounds check (hot path). */
static inline uint64_t *px_slots_word(void *base, size_t line_size, size_t index, size_t word) {
    return (uint64_t *)((char *)base + index * line_size) + word;
}

/* NUMA facts as libnuma reports them: available() is 0 when the kernel or the
 * library lacks NUMA support, in which case max_node() is 0. */
int px_numa_available(void);
int px_numa_max_node(void);
/* Node of the page holding `address`, or -1 when it cannot be determined. */
int px_numa_node_of(const void *address);

#endif /* PX_SLOTS_H */
