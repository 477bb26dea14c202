import CParallaxCore
import ParallaxConcurrency
import ParallaxTopology

/// Executes a block by its transactions' declared access
/// (`DeclaredAccess`): no speculation, no aborts, no locks. The result is
/// `SequentialExecutor(enforcingDeclarations: true)`'s, exactly.
///
/// ## Algorithm
/// 1. `DependencyGraph` in one pass in block order (the caller's thread).
/// 2. Every transaction gets a pending counter = its number of
///    predecessors (packed 64-bit words in a C `SlotArray`); those at zero go
///    into the ready queue of their node (see NUMA placement).
/// 3. Workers (`WorkerPool.broadcast`) take ready transactions, their own
///    node's queue first, then steal from the other nodes' queues; run them
///    in an `ExecutionContext` that enforces declarations, store the
///    write-set into the value slots of the keys (one slot per declared key
///    of the block), then decrement each successor's counter; whoever takes
///    a counter to zero runs that successor next itself when it belongs to
///    the worker's node (the first one; the others go to their nodes'
///    queues), so a chain stays on one worker's warm caches. A worker with
///    nothing to take backs off (spin, yield, then park on its node's queue
///    for at most `DeclaredWorker.parkNanoseconds`) until every transaction
///    has finished.
/// 4. Each worker derives the final value and state-root share of a stride
///    of key slots; the caller merges them.
///
/// ## NUMA placement
/// The workers' nodes (`workerNodes`) form the executor's node set. Each
/// key has a home node (`homeNode(of:nodes:)`, a hash of the key, so a key
/// keeps its home from block to block) and its value slot lives in that
/// node's slot region (C memory bound to the node). A transaction belongs
/// to the node that holds most of its declared keys (ties: the lowest),
/// and when it becomes ready it goes to that node's `MPMCQueue` (capacity
/// ≥ the block, so it never fills): the workers of that node get it first,
/// other nodes' workers only when their own queue is empty.
/// `ExecutionStatistics.nodes` counts per node what its workers executed
/// and stole. With one node (the default) there is one queue and one region.
///
/// ## Why a single slot per key is enough
/// When i runs, the graph has made it wait for the last earlier writer of
/// every key it declares, and no later writer of those keys can start
/// before i finishes (a writer waits for the readers since the previous
/// writer). So the slot holds exactly the value block order gives i. A
/// transaction without a declaration runs alone (a barrier in the graph):
/// it reads and writes slots of declared keys, and keys no declaration
/// names go to an overlay that only barriers touch.
///
/// ## Undeclared access
/// The context fails the transaction (`TransactionStatus.undeclaredAccess`)
/// before the access reaches the reader, so an undeclared key is never read
/// or written concurrently: the failure is the sequential executor's
/// decision, never a data race.
///
/// ## Memory orders
/// - Pending counters: the decrement is acq_rel; the decrementer that sees 1
///   has acquired every earlier decrementer's release, so the successor's
///   execution (after its dequeue, whose acquire pairs with the enqueue's
///   release) sees the slot writes of all its predecessors.
/// - `finished` counts finished transactions (acq_rel increments after the
///   slot and output writes); a worker that loads `count` with acquire sees
///   every slot final, so the delta collection reads them unsynchronized.
/// - Counters, slots and the queue are prepared before `broadcast`, whose
///   release publishes them to the workers.
///
/// One block at a time: `execute` must not be called concurrently.
public final class DeclaredAccessExecutor: BlockExecutor, @unchecked Sendable {
    /// The workers: a topology plan's pool (pinned, NUMA-placed) or a plain one.
    public let pool: WorkerPool
    /// The NUMA node of the executor's counters and of a plain pool's workers (nil: no binding).
    public let node: NodeID?
    public private(set) var lastStatistics = ExecutionStatistics()

    /// The distinct nodes of the workers, in order of first appearance.
    public let nodes: [NodeID?]
    let workers: [DeclaredWorker]
    let contexts: WorkerContexts
    /// One ready queue per node of `nodes`.
    private var queues: [MPMCQueue<UInt32>]
    private let queueRefs: UnsafeMutablePointer<Unmanaged<MPMCQueue<UInt32>>>
    private var pending: SlotArray
    private let control: SlotArray
    #if DEBUG
    private var lastGraph: DependencyGraph?
    #endif

    /// - Parameters:
    ///   - pool: the workers; each takes ready transactions from the queue
    ///     of its node (`pool.workerNodes`; `node` for a plain pool's
    ///     workers). One broadcast per block (see `ParallelExecutor.init(pool:node:)`).
    ///   - node: NUMA node of the counters (nil: no binding), and of every
    ///     worker of a plain pool.
    public init(pool: WorkerPool, node: NodeID? = nil) throws(ParallelExecutorError) {
        let workerNodes = pool.workerNodes
        self.pool = pool
        self.node = node
        var nodes: [NodeID?] = []
        var nodeIndexOfWorker: [Int] = []
        for worker in 0..<pool.count {
            let workerNode = workerNodes[worker] ?? node
            if let known = nodes.firstIndex(of: workerNode) {
                nodeIndexOfWorker.append(known)
            } else {
                nodes.append(workerNode)
                nodeIndexOfWorker.append(nodes.count - 1)
            }
        }
        self.nodes = nodes
        do {
            queues = try nodes.map { try MPMCQueue(capacity: 1024, node: $0) }
            pending = try SlotArray(count: 128, lineSize: .line, node: node)
            control = try SlotArray(count: 1, lineSize: .linePair, node: node)
        } catch {
            throw .outOfMemory("\(error)")
        }
        queueRefs = .allocate(capacity: nodes.count)
        queueRefs.initialize(from: queues.map { Unmanaged.passUnretained($0) }, count: nodes.count)
        workers = (0..<pool.count).map { DeclaredWorker(index: $0, size: pool.count, nodeIndex: nodeIndexOfWorker[$0]) }
        contexts = WorkerContexts(readers: workers, enforcingDeclarations: true)
    }

    deinit {
        queueRefs.deinitialize(count: nodes.count)
        queueRefs.deallocate()
    }

    /// Walks key `id`'s history in block order: full writes set its value,
    /// each credit applies to the value before it (or is dropped on
    /// overflow, its write-set entry removed), and each credit's write-set
    /// entry gets the exact value after it. Returns the key's final value,
    /// nil when no transaction wrote the key.
    static func resolveCredits(_ id: UInt32, _ graph: DependencyGraph, _ block: DeclaredBlock,
                               _ outputs: inout [TransactionOutput], _ base: any StateView) -> StateValue?? {
        let key = graph.keys[Int(id)]
        var value = base.read(key)
        var written = false
        for txn in outputs.indices {
            guard let entry = outputs[txn].writeSet.firstIndex(where: { $0.key == key }) else { continue }
            if graph.creditKeyOfTransaction[txn] == id {
                if let credited = DeltaOperand.credit(block.creditAmounts[txn], to: value) {
                    value = credited
                    outputs[txn].writeSet[entry].value = credited
                    written = true
                } else {
                    outputs[txn].writeSet.remove(at: entry)
                }
            } else {
                value = outputs[txn].writeSet[entry].value
                written = true
            }
        }
        return written ? .some(value) : nil
    }

    /// The home node (index into a node set of `nodes` nodes) of `key`.
    @inline(__always)
    static func homeNode(of key: StateKey, nodes: Int) -> Int {
        nodes == 1 ? 0 : Int(key.mixed % UInt64(nodes))
    }

    /// A declared-access executor on a new plain pool (`WorkerPool(threads:)`)
    /// of `threads` workers, which it owns.
    public convenience init(threads: Int) throws(ParallelExecutorError) {
        guard threads >= 1 else { throw .unsupportedTeamSize(threads) }
        let pool: WorkerPool
        do { pool = try WorkerPool(threads: threads) } catch { throw .pool(error) }
        try self.init(pool: pool)
    }

    /// The largest block this executor takes.
    public static let maxTransactions = 1 << 31 - 1

    public func tryExecute(_ transactions: [any Transaction], on base: any StateView) throws(ExecutorFailure) -> BlockOutput {
        let count = transactions.count
        guard count <= DeclaredAccessExecutor.maxTransactions else {
            throw .blockTooLarge(transactions: count, limit: DeclaredAccessExecutor.maxTransactions)
        }
        var statistics = ExecutionStatistics()
        guard count > 0 else {
            lastStatistics = statistics
            return BlockOutput(transactions: [], stateDelta: StateDelta(writes: []), stateRoot: base.commitment.root)
        }
        let graph = DependencyGraph(transactions)
        let slots: DeclaredSlots
        do {
            for (index, queue) in queues.enumerated() where queue.capacity < count {
                queues[index] = try MPMCQueue(capacity: count, node: nodes[index])
                queueRefs[index] = .passUnretained(queues[index])
            }
            if pending.count * 8 < count { pending = try SlotArray(count: (count + 7) / 8, lineSize: .line, node: node) }
            slots = try DeclaredSlots(graph: graph, nodes: nodes)
        } catch {
            throw .outOfMemory("declared-access executor: \(error)")
        }
        let counters = pending.word(0)
        let finished = control.word(0)
        px_atomic_store(finished, 0, px_store_relaxed)
        let block = DeclaredBlock(transactions: transactions, base: base, graph: graph, slots: slots, queues: queueRefs,
                                  pending: counters, finished: finished)
        for txn in 0..<UInt32(count) {
            let predecessors = graph.predecessorCount(txn)
            px_atomic_store(counters + Int(txn), UInt64(predecessors), px_store_relaxed)
            if predecessors == 0 { block.enqueue(txn) }
        }
        let workers = self.workers
        let contexts = self.contexts
        let refused: WorkerPoolError? = withExtendedLifetime(block) {
            do throws(WorkerPoolError) {
                try pool.broadcast { worker in workers[worker.index].run(block, in: contexts[worker.index]) }
                return nil
            } catch {
                return error
            }
        }
        if let refused {
            // No worker ran: empty the ready queues for the next block.
            for node in 0..<nodes.count { while block.tryDequeue(node) != nil {} }
            lastStatistics = ExecutionStatistics()
            throw .workersUnavailable("\(refused)")
        }

        var outputs = [TransactionOutput](unsafeUninitializedCapacity: count) { buffer, initialized in
            for index in 0..<count {
                (buffer.baseAddress.unsafelyUnwrapped + index).initialize(to: (block.outputs + index).move().unsafelyUnwrapped)
                (block.outputs + index).initialize(to: nil)
            }
            initialized = count
        }
        var commitment = base.commitment
        var writes: [StateWrite] = []
        writes.reserveCapacity(workers.reduce(block.overlay.count) { $0 + $1.deltaWrites.count })
        for worker in workers {
            let moved = worker.deltaWrites.count
            writes.append(contentsOf: [StateWrite](unsafeUninitializedCapacity: moved) { buffer, initialized in
                worker.deltaWrites.moveAll(to: buffer.baseAddress.unsafelyUnwrapped)
                initialized = moved
            })
            commitment.merge(worker.deltaCommitment)
            worker.endBlock()
        }
        for (key, value) in block.overlay {
            commitment.update(key, from: base.read(key), to: value)
            writes.append(StateWrite(key: key, value: value))
        }
        if graph.hasCredits {
            for id in 0..<graph.keys.count where graph.keyTakesCredits[id] {
                if let final = DeclaredAccessExecutor.resolveCredits(UInt32(id), graph, block, &outputs, base) {
                    commitment.update(graph.keys[id], from: base.read(graph.keys[id]), to: final)
                    writes.append(StateWrite(key: graph.keys[id], value: final))
                }
            }
        }
        statistics.executions = count
        statistics.nodes = nodes.map { ExecutionStatistics.NodeCounts(node: $0) }
        for worker in workers {
            statistics.nodes[worker.nodeIndex].workers += 1
            statistics.nodes[worker.nodeIndex].executed += worker.executed
            statistics.nodes[worker.nodeIndex].stolen += worker.stolen
        }
        lastStatistics = statistics
        #if DEBUG
        lastGraph = graph
        #endif
        return BlockOutput(transactions: outputs, stateDelta: StateDelta(writes: writes), stateRoot: commitment.root)
    }

    #if DEBUG
    /// Checks the last block's graph, that the ready queue was drained and
    /// that every pending counter reached zero. Quiescent only.
    public func _checkInvariants() {
        guard let lastGraph else { return }
        lastGraph._checkInvariants()
        precondition(queues.allSatisfy(\.isEmptyApproximately), "ready queues not drained")
        for txn in 0..<lastGraph.count {
            precondition(px_atomic_load(pending.word(0) + txn, px_load_relaxed) == 0, "txn \(txn) still has pending dependencies")
        }
        precondition(px_atomic_load(control.word(0), px_load_relaxed) == UInt64(lastGraph.count), "not every transaction finished")
    }
    #endif
}
