/* CParallax — the C shim of Parallax: what Swift cannot express (see DESIGN.md). */
#ifndef CPARALLAX_H
#define CPARALLAX_H

#include "px_atomic.h"
#include "px_cpu.h"
#include "px_ed25519.h"
#include "px_hash.h"
#include "px_slots.h"
#include "px_sync.h"
#include "px_topology.h"
#include "px_uint256.h"

#endif /* CPARALLAX_H */
