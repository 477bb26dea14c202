import CParallaxCore

/// Threads that run tasks, one per worker of a placement plan, each pinned to
/// its processing unit and fed from a NUMA-local inbox.
///
/// ## Workers
/// Worker `i` runs on `placement.pu` (pinned and verified with
/// `sched_getaffinity` before it runs anything, unless `pinning` is
/// `.unpinned`, which tests use for plans of synthetic machines). Its inbox (an
/// `MPMCQueue`), its counters and its scratch memory are `SlotArray`s on its
/// own NUMA node.
///
/// ## Submission and stealing
/// `submit(toNode:)` puts a task in the inbox of one of that node's workers
/// (round-robin); `submit(toWorker:)` in that worker's. When an inbox is
/// full the task goes to the next candidate's, and when all are full to an
/// unbounded, mutex-guarded `OverflowQueue`: submission never blocks, so a
/// task may submit into a saturated pool without deadlocking it. A worker
/// takes from its own inbox first; when it is empty it steals one task at a
/// time, from the other workers of its own node first, then from the workers
/// of the other nodes (nodes in rotation from the next one), then takes from
/// the overflow queue. Each worker counts the tasks it ran, and of those the
/// ones it stole on its node and across nodes (overflow tasks count as
/// neither).
///
/// ## Broadcast (fork-join)
/// `broadcast(_:)` runs a body once on every worker and returns when all have
/// finished: the body is published with a release increment of an epoch that
/// each worker reads (acquire) between tasks; each worker, once done,
/// decrements a remaining-count (acq_rel), and the last one wakes the caller.
/// A broadcast allocates nothing per worker. Workers run it before queued
/// tasks. Broadcasts are serialized; calling one from a worker of the same
/// pool would wait for itself, and is a precondition failure.
///
/// ## Parking
/// An idle worker spins and yields (`Backoff`), then parks on its node's
/// futex word. Parking is a Dekker pair (see `ParkingWord`): the sleeper
/// counts itself (seq_cst), fences, reads the epoch, and re-checks every inbox,
/// the broadcast epoch and the state before it sleeps; a waker publishes its
/// task, fences (seq_cst) and bumps the epoch only if it sees a sleeper. A task
/// for node n wakes one sleeper of node n, or else one of another node (an
/// idle remote worker should steal it); a broadcast or shutdown wakes all.
/// While a task's wake-up is pending (sent, not yet taken by a worker leaving
/// `park`), later tasks for that node send none: a burst of submissions to a
/// parked pool costs one futex syscall, not one per task.
///
/// ## Shutdown (state: open → stopping → closed)
/// `shutdown()` stops accepting tasks (`stopping`), waits until no
/// submission is in flight, then moves to `closed` and wakes everyone. A worker
/// reads the state (acquire) *before* it scans the inboxes, and exits only if
/// the state was `closed` and the scan found nothing: every task submitted
/// before the close is run, none is lost. Tasks submitted after `stopping`
/// (from outside or from running tasks) are refused with `.shutDown`.
///
/// ## Failures
/// A task that throws is counted in `failed` and handed to `onError`; the
/// worker goes on with the next task.
public final class WorkerPool: @unchecked Sendable {
    /// A task: runs on one worker, with that worker's context; a throw is counted in `failed` and passed to `onError`.
    public typealias Task = @Sendable (WorkerContext) throws -> Void

    /// Whether the workers are bound to their PUs.
    public enum Pinning: Sendable, Equatable {
        /// Each worker is bound to its PU; the pool does not start otherwise.
        case pinned
        /// Workers run wherever the kernel puts them (plans of other machines, in tests).
        case unpinned
    }

    /// How a pool of a plan runs its workers (the `[workers]` table of the topology config file).
    public struct Options: Sendable, Equatable {
        /// Whether each worker is bound to its PU (`workers.pin`).
        public var pinning: Pinning
        /// Tasks each inbox holds before submission tries other workers.
        public var inboxCapacity: Int
        /// Scratch memory per worker, on its node.
        public var scratchBytes: Int

        /// Options with these values; the defaults are the topology config file's.
        public init(pinning: Pinning = .pinned, inboxCapacity: Int = 1024, scratchBytes: Int = 64 * 1024) {
            self.pinning = pinning
            self.inboxCapacity = inboxCapacity
            self.scratchBytes = scratchBytes
        }
    }

    let core: PoolCore

    /// Starts one thread per worker of `workers` (typically `plan.workers(in: .execute)`)
    /// and returns once every one of them is pinned and running.
    public init(workers: [WorkerPlacement], options: Options = Options(),
                onError: (@Sendable (any Error, WorkerContext) -> Void)? = nil) throws(WorkerPoolError) {
        core = try PoolCore(placements: workers, options: options, bindsMemory: true, onError: onError)
        try core.start()
    }

    /// A plain pool of `threads` unpinned workers, for callers that do not
    /// place threads (tests, tools, an embedding node that leaves placement
    /// to the kernel): the pool the executors create for `init(threads:)`.
    ///
    /// Its workers have no placement of their own: their `placement` names
    /// `pool`, worker `i` and a nominal PU, core and node `i`, `i`, 0 that
    /// nothing binds to; their memory is the kernel's to place, and
    /// `workerNodes` is nil for every worker.
    public convenience init(threads: Int, pool: PoolName = .execute, inboxCapacity: Int = 1024,
                            onError: (@Sendable (any Error, WorkerContext) -> Void)? = nil) throws(WorkerPoolError) {
        guard threads >= 1, threads <= WorkerPool.maxPlainThreads else {
            throw .invalidOptions("a plain pool needs 1 to \(WorkerPool.maxPlainThreads) threads, got \(threads)")
        }
        let placements = (0..<threads).map { index in
            WorkerPlacement(worker: WorkerID(index), pool: pool, pu: PUIndex(Int32(index)), core: CoreID(Int32(index)),
                            node: NodeID(0), package: nil)
        }
        try self.init(core: try PoolCore(placements: placements, options: Options(pinning: .unpinned, inboxCapacity: inboxCapacity),
                                     bindsMemory: false, onError: onError))
    }

    /// The most threads `init(threads:)` starts.
    public static let maxPlainThreads = 1024

    private init(core: PoolCore) throws(WorkerPoolError) {
        self.core = core
        try core.start()
    }

    /// A pool of every worker of `plan` in `pool`.
    public convenience init(plan: PlacementPlan, pool: PoolName, options: Options = Options(),
                            onError: (@Sendable (any Error, WorkerContext) -> Void)? = nil) throws(WorkerPoolError) {
        let placements = plan.workers(in: pool)
        guard !placements.isEmpty else { throw .noWorkers }
        try self.init(workers: placements, options: options, onError: onError)
    }

    deinit { core.shutdown() }

    /// The number of workers.
    public var count: Int { core.workers.count }
    /// Where each worker runs, by worker index.
    public var placements: [WorkerPlacement] { core.workers.map(\.context.placement) }
    /// Whether each worker runs bound to its placement's PU.
    public var isPinned: Bool { core.options.pinning == .pinned }
    /// For each worker, the NUMA node its memory should live on: its
    /// placement's node when the pool placed its workers (`init(workers:)`,
    /// `init(plan:pool:)`), nil for a plain pool (`init(threads:)`). The
    /// executors allocate each worker's arenas there.
    public var workerNodes: [NodeID?] { core.bindsMemory ? placements.map(\.node) : Array(repeating: nil, count: count) }
    /// The NUMA nodes the workers are on, ascending: allocate per-node shares
    /// of shared data (`SlotArray(count:lineSize:node:)`) for these.
    public var nodes: [NodeID] { core.nodes }
    /// Positions (`WorkerContext.index`) of the workers on `node`.
    public func workers(on node: NodeID) -> [Int] {
        core.nodeRanges[node].map { Array(core.memberTable[$0]) } ?? []
    }

    /// Runs `task` on a worker of `node` (or a thief, if they are all busy).
    public func submit(toNode node: NodeID, _ task: @escaping Task) throws(WorkerPoolError) {
        guard let range = core.nodeRanges[node] else { throw .noWorkerOnNode(node) }
        let members = UnsafeBufferPointer(rebasing: core.memberTable[range])
        let cursor = core.cursor(core.workerSlots[members[0]])
        // Relaxed: the cursor only spreads tasks; no data travels through it.
        let turn = Int(px_atomic_fetch_add(cursor, 1, px_rmw_relaxed) % UInt64(members.count))
        try core.submit(task, preferring: members, startingAt: turn)
    }

    /// Runs `task` on `worker` (position in this pool), or on a thief.
    public func submit(toWorker worker: Int, _ task: @escaping Task) throws(WorkerPoolError) {
        guard worker >= 0, worker < core.workers.count else { throw .noSuchWorker(worker) }
        try core.submit(task, preferring: UnsafeBufferPointer(rebasing: core.identityTable[worker ... worker]), startingAt: 0)
    }

    /// Runs `task` on any worker (round-robin over all of them).
    public func submit(_ task: @escaping Task) throws(WorkerPoolError) {
        // Relaxed: the cursor only spreads tasks; no data travels through it.
        let turn = Int(px_atomic_fetch_add(core.cursor(core.globalCursorSlot), 1, px_rmw_relaxed) % UInt64(core.workers.count))
        try core.submit(task, preferring: UnsafeBufferPointer(core.identityTable), startingAt: turn)
    }

    /// Runs `body` once on every worker and returns when all have finished.
    public func broadcast(_ body: @escaping @Sendable (WorkerContext) -> Void) throws(WorkerPoolError) {
        try core.broadcast(body)
    }


    /// Runs every task submitted so far, then stops the threads. Idempotent.
    /// A task may call it (its own thread is then detached instead of joined);
    /// a broadcast body may not (the broadcast holds the lock shutdown takes).
    public func shutdown() { core.shutdown() }

    /// Counters of each worker (exact once the pool is shut down or idle).
    public var statistics: [WorkerStatistics] { core.workers.map { $0.statistics } }

    /// The same counters summed over the workers of each node, in node order.
    public var statisticsByNode: [NodeStatistics] {
        let perWorker = statistics
        return core.nodes.map { node in
            let members = perWorker.filter { $0.node == node }
            return NodeStatistics(node: node, workers: members.count,
                                  executed: members.reduce(0) { $0 + $1.executed },
                                  stolenLocal: members.reduce(0) { $0 + $1.stolenLocal },
                                  stolenRemote: members.reduce(0) { $0 + $1.stolenRemote },
                                  failed: members.reduce(0) { $0 + $1.failed })
        }
    }

    /// The CPUs each worker's thread was allowed to run on when it started,
    /// as `sched_getaffinity` reported them (nil for unpinned workers).
    public var verifiedAffinity: [CPUSet?] { core.workers.map { $0.verifiedAffinity } }

    #if DEBUG
    /// After `shutdown()`: every inbox is empty and no submission is in flight.
    public func _checkInvariants() {
        core.checkInvariants()
    }
    #endif
}

/// What a task or a broadcast body knows about the worker that runs it.
public struct WorkerContext: Sendable {
    /// Position of the worker in its pool, `0 ..< workerCount`.
    public let index: Int
    /// The number of workers in the pool.
    public let workerCount: Int
    /// Where the worker runs: its PU and NUMA node.
    public let placement: WorkerPlacement
    /// Zeroed, line-aligned memory of this worker alone, on its node when the
    /// machine has that node (`scratch.placement` says where it is).
    public let scratch: SlotArray

    /// The worker's NUMA node.
    public var node: NodeID { placement.node }
    /// The processing unit the worker is pinned to (or was planned on).
    public var pu: PUIndex { placement.pu }
}

/// Why a worker pool could not start or refused a task.
public enum WorkerPoolError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The pool would have no worker (the plan has none in the requested pool).
    case noWorkers
    /// The pool was shut down and takes no more tasks.
    case shutDown
    /// No worker of the pool is on this node (`submit(toNode:)`).
    case noWorkerOnNode(NodeID)
    /// No worker has this index (`submit(toWorker:)`).
    case noSuchWorker(Int)
    /// The options (or a plain pool's thread count) are outside their ranges; the message says which.
    case invalidOptions(String)
    /// Memory for a worker's inbox or scratch could not be had; the message says which.
    case memory(String)
    /// A worker could not be bound to its PU, or the kernel reported another affinity.
    case pinning(worker: Int, AffinityError)
    /// The thread of a worker could not be created (`errno`).
    case threadStart(worker: Int, errno: Int32)

    public var description: String {
        switch self {
        case .noWorkers: "the pool has no workers"
        case .shutDown: "the pool is shut down"
        case .noWorkerOnNode(let node): "the pool has no worker on \(node)"
        case .noSuchWorker(let worker): "the pool has no worker \(worker)"
        case .invalidOptions(let what): "invalid worker pool options: \(what)"
        case .memory(let what): "worker memory: \(what)"
        case .pinning(let worker, let error): "worker \(worker): \(error)"
        case .threadStart(let worker, let code): "cannot start the thread of worker \(worker) (errno \(code))"
        }
    }
}
