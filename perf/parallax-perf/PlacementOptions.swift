import ArgumentParser
import Parallax
import ParallaxConcurrency
import ParallaxConfig

/// `--config FILE` and `--pin`/`--no-pin`: where the parallel and
/// declared-access executors' workers run.
///
/// - `--config FILE`: the `execute` pool of the file's plan on this machine
///   (its size replaces `--threads`; pinning follows `workers.pin`).
/// - `--pin`: `--threads` workers placed `compact` on this machine, pinned.
/// - neither (`--no-pin`, the default): a plain pool (`WorkerPool(threads:)`)
///   of unpinned threads.
struct PlacementOptions: ParsableArguments {
    @Option(help: "Topology config file (TOML, docs/topology.md): the parallel executor runs on its execute pool.")
    var config: String?
    @Flag(inversion: .prefixedNo, help: "Pin the parallel executor's workers (compact plan of --threads workers).")
    var pin = false

    /// The executor for `threads` workers, and the pool behind it when pinned.
    func makeExecutor(threads: Int) throws -> (ParallelExecutor, WorkerPool?) {
        try make(threads: threads, unpinned: { try ParallelExecutor(threads: $0) },
                 pinned: { try ParallelExecutor(pool: $0) })
    }

    /// The declared-access executor for `threads` workers (pinned: each
    /// worker's node routes the ready transactions), and its pool.
    func makeDeclaredExecutor(threads: Int) throws -> (DeclaredAccessExecutor, WorkerPool?) {
        try make(threads: threads, unpinned: { try DeclaredAccessExecutor(threads: $0) },
                 pinned: { try DeclaredAccessExecutor(pool: $0) })
    }

    /// The adaptive executor for `threads` workers, and the pool behind it when pinned.
    func makeAdaptiveExecutor(threads: Int) throws -> (AdaptiveExecutor, WorkerPool?) {
        try make(threads: threads, unpinned: { try AdaptiveExecutor(threads: $0) },
                 pinned: { try AdaptiveExecutor(pool: $0) })
    }

    /// An executor on the pinned pool the options ask for, or on `threads`
    /// unpinned threads; executor errors become validation errors.
    private func make<Executor>(threads: Int, unpinned: (Int) throws -> Executor,
                                pinned: (WorkerPool) throws -> Executor) throws -> (Executor, WorkerPool?) {
        let pool = try makePinnedPool(threads: threads)
        do {
            guard let pool else { return (try unpinned(threads), nil) }
            return (try pinned(pool), pool)
        } catch {
            throw ValidationError("\(error)")
        }
    }

    /// The pinned pool the options ask for (nil: neither `--config` nor `--pin`).
    private func makePinnedPool(threads: Int) throws -> WorkerPool? {
        guard config != nil || pin else { return nil }
        do {
            let topology = try Topology.thisMachine()
            if let config {
                let file = try TopologyConfig.load(file: config)
                return try WorkerPool(plan: try file.plan(on: topology), pool: .execute, options: file.workers)
            }
            let request = PlacementRequest(pools: [PoolRequest(.execute, .workers(threads))])
            return try WorkerPool(plan: try PlacementPlan(topology: topology, request: request), pool: .execute)
        } catch {
            throw ValidationError("\(error)")
        }
    }
}

extension WorkerPool {
    /// Per NUMA node: workers, the executor broadcasts they ran (each is one
    /// Block-STM task loop on one worker), and the pool tasks they ran and
    /// stole, as JSON.
    var nodeStatisticsJSON: String {
        let perWorker = statistics
        let nodes = statisticsByNode.map { node in
            let broadcasts = perWorker.filter { $0.node == node.node }.reduce(0) { $0 + $1.broadcasts }
            return #"{"numa_node":\#(node.node.rawValue),"workers":\#(node.workers),"broadcasts":\#(broadcasts),"tasks_executed":\#(node.executed),"stolen_local":\#(node.stolenLocal),"stolen_remote":\#(node.stolenRemote)}"#
        }
        return "[" + nodes.joined(separator: ",") + "]"
    }
}
