import ParallaxConcurrency
import ParallaxTopology

extension WorkerPool {
    /// An unpinned pool whose workers claim the given NUMA nodes (worker
    /// `i` on `nodes[i]`), so tests exercise per-node queues, routing and
    /// stealing on a machine with one node. Memory for a node the machine
    /// lacks stays where the kernel puts it (see `SlotArray`).
    static func synthetic(nodes: [NodeID]) throws -> WorkerPool {
        let placements = nodes.enumerated().map { index, node in
            WorkerPlacement(worker: WorkerID(index), pool: .execute, pu: PUIndex(Int32(index)), core: CoreID(Int32(index)),
                            node: node, package: nil)
        }
        return try WorkerPool(workers: placements, options: .init(pinning: .unpinned))
    }
}
