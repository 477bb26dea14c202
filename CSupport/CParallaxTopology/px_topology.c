/* hwloc discovery and thread pinning: see include/px_topology.h. */
#define _GNU_SOURCE
#include "px_topology.h"

#include <errno.h>
#include <hwloc.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct px_topology {
    int packages;
    int l3s;
    int cores;
    int pu_count;
    int node_count;
    px_topology_pu *pus;
    px_topology_node *nodes;
};

static int logical_index_of_ancestor(hwloc_obj_t obj, hwloc_obj_type_t type) {
    hwloc_obj_t ancestor = hwloc_get_ancestor_obj_by_type(NULL, type, obj);
    return ancestor != NULL ? (int)ancestor->logical_index : -1;
}

static int l3_index_of(hwloc_obj_t pu) {
    for (hwloc_obj_t parent = pu->parent; parent != NULL; parent = parent->parent) {
        if (parent->type == HWLOC_OBJ_L3CACHE) return (int)parent->logical_index;
    }
    return -1;
}

static void report(char *error, size_t error_size, const char *what, const char *argument, int code) {
    if (error == NULL || error_size == 0) return;
    snprintf(error, error_size, "%s '%s': %s", what, argument != NULL ? argument : "", strerror(code));
}

static int count_type(hwloc_topology_t topo, hwloc_obj_type_t type) {
    int count = hwloc_get_nbobjs_by_type(topo, type);
    return count > 0 ? count : 0;
}

px_topology *px_topology_load(px_topology_source source, const char *argument,
                              char *error, size_t error_size) {
    hwloc_topology_t topo;
    if (hwloc_topology_init(&topo) != 0) {
        report(error, error_size, "hwloc_topology_init", "", errno);
        return NULL;
    }
    int rc = 0;
    const char *what = "this machine";
    switch (source) {
    case px_topology_this_machine:
        /* Leave out the CPUs this process may not run on (taskset, cpuset):
           a plan must only name PUs its workers can be pinned to. */
        rc = hwloc_topology_set_flags(topo, HWLOC_TOPOLOGY_FLAG_IS_THISSYSTEM |
                                                HWLOC_TOPOLOGY_FLAG_RESTRICT_TO_CPUBINDING);
        break;
    case px_topology_synthetic:
        rc = hwloc_topology_set_synthetic(topo, argument);
        break;
    case px_topology_xml:
        what = "XML file";
        rc = hwloc_topology_set_xml(topo, argument);
        break;
    default:
        rc = -1;
        errno = EINVAL;
    }
    if (rc == 0) rc = hwloc_topology_load(topo);
    if (rc != 0) {
        /* hwloc reports a bad description only as EINVAL, so say what was rejected;
           for XML the errno (ENOENT, EACCES, ...) is the useful part. */
        if (source == px_topology_synthetic && error != NULL && error_size > 0) {
            snprintf(error, error_size, "hwloc rejects the synthetic description '%s' (example: 'pack:2 numa:2 core:8 pu:2')",
                     argument != NULL ? argument : "");
        } else {
            report(error, error_size, what, argument, errno != 0 ? errno : EINVAL);
        }
        hwloc_topology_destroy(topo);
        return NULL;
    }

    px_topology *result = calloc(1, sizeof *result);
    int pus = count_type(topo, HWLOC_OBJ_PU);
    int nodes = count_type(topo, HWLOC_OBJ_NUMANODE);
    if (result != NULL) {
        result->pus = calloc(pus > 0 ? (size_t)pus : 1, sizeof(px_topology_pu));
        result->nodes = calloc(nodes > 0 ? (size_t)nodes : 1, sizeof(px_topology_node));
    }
    if (result == NULL || result->pus == NULL || result->nodes == NULL) {
        if (result != NULL) { free(result->pus); free(result->nodes); free(result); }
        report(error, error_size, "topology records", "", ENOMEM);
        hwloc_topology_destroy(topo);
        return NULL;
    }
    result->packages = count_type(topo, HWLOC_OBJ_PACKAGE);
    result->l3s = count_type(topo, HWLOC_OBJ_L3CACHE);
    result->cores = count_type(topo, HWLOC_OBJ_CORE);
    result->pu_count = pus;
    result->node_count = nodes;
    for (int i = 0; i < pus; i++) {
        hwloc_obj_t pu = hwloc_get_obj_by_type(topo, HWLOC_OBJ_PU, (unsigned)i);
        px_topology_pu *record = &result->pus[i];
        record->os_index = (int32_t)pu->os_index;
        record->core = logical_index_of_ancestor(pu, HWLOC_OBJ_CORE);
        record->l3 = l3_index_of(pu);
        record->package = logical_index_of_ancestor(pu, HWLOC_OBJ_PACKAGE);
        int node = pu->nodeset != NULL ? hwloc_bitmap_first(pu->nodeset) : -1;
        record->numa_node = node >= 0 ? node : -1;
    }
    for (int i = 0; i < nodes; i++) {
        hwloc_obj_t node = hwloc_get_obj_by_type(topo, HWLOC_OBJ_NUMANODE, (unsigned)i);
        px_topology_node *record = &result->nodes[i];
        record->os_index = (int32_t)node->os_index;
        record->package = logical_index_of_ancestor(node, HWLOC_OBJ_PACKAGE);
        record->local_memory = node->attr != NULL ? node->attr->numanode.local_memory : 0;
    }
    hwloc_topology_destroy(topo);
    return result;
}

void px_topology_destroy(px_topology *topology) {
    if (topology == NULL) return;
    free(topology->pus);
    free(topology->nodes);
    free(topology);
}

int px_topology_package_count(const px_topology *topology) { return topology->packages; }
int px_topology_l3_count(const px_topology *topology) { return topology->l3s; }
int px_topology_core_count(const px_topology *topology) { return topology->cores; }
int px_topology_pu_count(const px_topology *topology) { return topology->pu_count; }
int px_topology_node_count(const px_topology *topology) { return topology->node_count; }

int px_topology_pu_at(const px_topology *topology, int index, px_topology_pu *out) {
    if (index < 0 || index >= topology->pu_count) return -1;
    *out = topology->pus[index];
    return 0;
}

int px_topology_node_at(const px_topology *topology, int index, px_topology_node *out) {
    if (index < 0 || index >= topology->node_count) return -1;
    *out = topology->nodes[index];
    return 0;
}

int px_thread_pin_self(int cpu) {
    if (cpu < 0 || cpu >= CPU_SETSIZE) return EINVAL;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

int px_thread_affinity_self(uint64_t *words, size_t word_count) {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) != 0) return errno;
    memset(words, 0, word_count * sizeof *words);
    for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
        if ((size_t)cpu / 64 >= word_count) break;
        if (CPU_ISSET(cpu, &set)) words[cpu / 64] |= (uint64_t)1 << (cpu % 64);
    }
    return 0;
}

int px_thread_set_name(const char *name) {
    char truncated[16];
    snprintf(truncated, sizeof truncated, "%s", name);
    return pthread_setname_np(pthread_self(), truncated);
}
