/*
 * CParallaxCore — the part of the C shim every engine module needs: atomics
 * with typed memory orders on C-allocated words, cache-line-aligned slot
 * arrays placed on NUMA nodes (libnuma), futex parking, CPU feature detection
 * (see DESIGN.md). Links libnuma only.
 */
#ifndef CPARALLAX_CORE_H
#define CPARALLAX_CORE_H

#include "px_atomic.h"
#include "px_cpu.h"
#include "px_slots.h"
#include "px_sync.h"
#include "px_uint256.h"

#endif /* CPARALLAX_CORE_H */
