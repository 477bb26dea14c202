/*
 * px_topology.h — machine discovery through hwloc, and thread pinning.
 *
 * hwloc builds a tree (machine > package > group/L3 > core > PU, with NUMA
 * nodes hanging off as memory children) from this machine, from a synthetic
 * description ("pack:2 numa:2 core:8 pu:2") or from an XML export. The shim
 * only loads that tree and flattens it into plain records, one per PU and one
 * per NUMA node, in hwloc's logical order; the model (CPU sets, placement) is
 * built in Swift from those records.
 *
 * This machine's topology is restricted to the CPUs the process may run on
 * (its cgroup cpuset and its affinity mask, as `taskset` sets it).
 *
 * Numbering: `os_index` fields are what the kernel calls the object (the CPU
 * number of sched_setaffinity, the node number of libnuma). `core`, `l3` and
 * `package` are hwloc logical indexes: unique and dense over the whole
 * machine (a core's OS index repeats in every package, so it cannot identify
 * a core). -1 means the object does not exist above that PU.
 *
 * Pinning acts on the calling thread only (pthread_setaffinity_np on
 * pthread_self), so a worker pins itself before it touches its memory.
 */
#ifndef PX_TOPOLOGY_H
#define PX_TOPOLOGY_H

#include <stddef.h>
#include <stdint.h>

typedef struct px_topology px_topology;

typedef enum px_topology_source {
    px_topology_this_machine = 0,
    px_topology_synthetic = 1, /* argument: an hwloc synthetic description */
    px_topology_xml = 2,       /* argument: path of an hwloc XML export */
} px_topology_source;

typedef struct px_topology_pu {
    int32_t os_index;  /* CPU number for sched_setaffinity */
    int32_t core;      /* logical index of the enclosing core, or -1 */
    int32_t l3;        /* logical index of the enclosing L3 cache, or -1 */
    int32_t package;   /* logical index of the enclosing package, or -1 */
    int32_t numa_node; /* OS index of the first NUMA node local to the PU, or -1 */
    int32_t padding;   /* keeps the record a multiple of 8 bytes */
} px_topology_pu;

typedef struct px_topology_node {
    int32_t os_index;      /* NUMA node number as libnuma names it */
    int32_t package;       /* logical index of the package it belongs to, or -1 */
    uint64_t local_memory; /* bytes of memory attached to the node */
} px_topology_node;

_Static_assert(sizeof(px_topology_pu) == 24, "PU record is six 32-bit fields");
_Static_assert(sizeof(px_topology_node) == 16, "node record is 16 bytes");

/*
 * Loads a topology. On failure returns NULL and writes a NUL-terminated reason
 * (hwloc's, or errno's) into `error` (at most `error_size` bytes).
 */
px_topology *px_topology_load(px_topology_source source, const char *argument,
                              char *error, size_t error_size);
void px_topology_destroy(px_topology *topology);

/* Object counts (0 when the type is absent). */
int px_topology_package_count(const px_topology *topology);
int px_topology_l3_count(const px_topology *topology);
int px_topology_core_count(const px_topology *topology);
int px_topology_pu_count(const px_topology *topology);
int px_topology_node_count(const px_topology *topology);

/* Record `index` (logical order); returns 0, or -1 for an index out of range. */
int px_topology_pu_at(const px_topology *topology, int index, px_topology_pu *out);
int px_topology_node_at(const px_topology *topology, int index, px_topology_node *out);

/* Binds the calling thread to the single CPU `cpu`. Returns 0 or an errno. */
int px_thread_pin_self(int cpu);
/*
 * Writes the calling thread's affinity mask into `words` (bit c of word c/64
 * is CPU c), for CPUs below 64 * `word_count`. Returns 0 or an errno.
 */
int px_thread_affinity_self(uint64_t *words, size_t word_count);

/* Names the calling thread (at most 15 bytes are kept). Returns 0 or an errno. */
int px_thread_set_name(const char *name);

#endif /* PX_TOPOLOGY_H */
