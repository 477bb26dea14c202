/*
 * CParallaxTopology — machine discovery through hwloc and thread pinning, for
 * ParallaxTopology. Links libhwloc only.
 */
#ifndef CPARALLAX_TOPOLOGY_H
#define CPARALLAX_TOPOLOGY_H

#include "px_topology.h"

#endif /* CPARALLAX_TOPOLOGY_H */
