/// Counters of a `WorkerPool`, per worker and per NUMA node. Each worker
/// writes its own counters (relaxed stores on a line of its own node); these
/// values are snapshots, exact once the pool is idle or shut down.

public struct WorkerStatistics: Sendable, Equatable {
    /// The worker's index in its pool.
    public let worker: Int
    /// The worker's NUMA node.
    public let node: NodeID
    /// Tasks this worker ran (its own and stolen), throwing ones included.
    public let executed: UInt64
    /// Of `executed`, taken from another worker of the same node.
    public let stolenLocal: UInt64
    /// Of `executed`, taken from a worker of another node.
    public let stolenRemote: UInt64
    /// Of `executed`, tasks that threw.
    public let failed: UInt64
    /// Broadcast bodies this worker ran.
    public let broadcasts: UInt64
}

/// The counters of `WorkerStatistics` summed over one NUMA node's workers.
public struct NodeStatistics: Sendable, Equatable {
    /// The node.
    public let node: NodeID
    /// How many of the pool's workers run on it.
    public let workers: Int
    /// Tasks run by the node's workers.
    public let executed: UInt64
    /// Of `executed`, stolen from a worker of the same node.
    public let stolenLocal: UInt64
    /// Of `executed`, stolen from a worker of another node.
    public let stolenRemote: UInt64
    /// Of `executed`, tasks that threw.
    public let failed: UInt64
}
