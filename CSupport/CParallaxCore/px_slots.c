/* Slot arrays: see include/px_slots.h for the contract. */
#include "px_slots.h"

#include <errno.h>
#include <numa.h>
#include <numaif.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(PX_CACHE_LINE == 64, "slot lines are 64 bytes");
_Static_assert(PX_CACHE_LINE_PAIR == 2 * PX_CACHE_LINE, "pairs are two lines");
_Static_assert(PX_CACHE_LINE % sizeof(uint64_t) == 0, "whole words per line");

struct px_slot_array {
    void *base;
    size_t count;
    size_t line_size;
    size_t bytes;
    px_placement placement;
    int node;
};

int px_numa_available(void) { return numa_available() >= 0; }

int px_numa_max_node(void) { return px_numa_available() ? numa_max_node() : 0; }

int px_numa_node_of(const void *address) {
    if (!px_numa_available()) return -1;
    int status = -1;
    void *page = (void *)address;
    if (move_pages(0, 1, &page, NULL, &status, 0) != 0) return -1;
    return status >= 0 ? status : -1;
}

static int node_usable(int node) {
    return node >= 0 && px_numa_available() && node <= numa_max_node();
}

px_slot_array *px_slots_create(size_t count, size_t line_size, int numa_node) {
    if (count == 0 || (line_size != PX_CACHE_LINE && line_size != PX_CACHE_LINE_PAIR)) {
        errno = EINVAL;
        return NULL;
    }
    if (count > SIZE_MAX / line_size) { errno = ERANGE; return NULL; }
    px_slot_array *array = calloc(1, sizeof *array);
    if (array == NULL) { errno = ENOMEM; return NULL; }
    array->count = count;
    array->line_size = line_size;
    array->bytes = count * line_size;
    if (node_usable(numa_node)) {
        array->base = numa_alloc_onnode(array->bytes, numa_node);
        array->placement = px_placement_numa_node;
        array->node = numa_node;
    } else {
        array->base = aligned_alloc(line_size, array->bytes);
        array->placement = px_placement_heap;
        array->node = PX_NODE_ANY;
    }
    if (array->base == NULL) {
        free(array);
        errno = ENOMEM;
        return NULL;
    }
    memset(array->base, 0, array->bytes);
    return array;
}

void px_slots_destroy(px_slot_array *array) {
    if (array == NULL) return;
    if (array->placement == px_placement_numa_node) numa_free(array->base, array->bytes);
    else free(array->base);
    free(array);
}

size_t px_slots_count(const px_slot_array *array) { return array->count; }
size_t px_slots_line_size(const px_slot_array *array) { return array->line_size; }
size_t px_slots_words_per_slot(const px_slot_array *array) { return array->line_size / sizeof(uint64_t); }
px_placement px_slots_placement(const px_slot_array *array) { return array->placement; }
int px_slots_node(const px_slot_array *array) { return array->node; }
void *px_slots_base(const px_slot_array *array) { return array->base; }
