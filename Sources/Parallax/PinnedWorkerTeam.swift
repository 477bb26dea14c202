import ParallaxExecution
import ParallaxTopology

/// The workers of a topology plan's pool as the executors' `WorkerTeam`:
/// every `broadcast` of the parallel executor runs on the pool's pinned
/// threads, with their NUMA-local scratch, instead of on `ThreadTeam`'s
/// unpinned threads.
///
/// The calling thread only waits: give it a processing unit of its own (the
/// plan's `reserved` CPUs, or a pool that leaves one free), because a pinned
/// worker cannot move away from a CPU the caller spins on.
public final class PinnedWorkerTeam: WorkerTeam, @unchecked Sendable {
    /// The pool; the team owns it and shuts it down when released.
    public let pool: WorkerPool

    public init(pool: WorkerPool) { self.pool = pool }

    /// The pool of `name` in `plan`, started with `options`.
    public convenience init(plan: PlacementPlan, pool name: PoolName,
                            options: WorkerPool.Options = WorkerPool.Options()) throws(WorkerPoolError) {
        self.init(pool: try WorkerPool(plan: plan, pool: name, options: options))
    }

    deinit { pool.shutdown() }

    public var size: Int { pool.count }

    /// The NUMA node of each worker, in worker order (for `ParallelExecutor(team:workerNodes:)`).
    public var workerNodes: [NodeID?] { pool.placements.map { $0.node } }

    public func broadcast(_ body: @escaping @Sendable (Int) -> Void) {
        do {
            try pool.broadcast { worker in body(worker.index) }
        } catch {
            // The team owns its pool and shuts it down only in deinit, so a
            // refused broadcast is a broken invariant, not an input error.
            preconditionFailure("PinnedWorkerTeam: the pool refused a broadcast: \(error)")
        }
    }
}
