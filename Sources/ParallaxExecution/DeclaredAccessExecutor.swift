import CParallaxCore
import ParallaxConcurrency

/// Executes a block by its transactions' declared access
/// (`DeclaredAccess`): no speculation, no aborts, no locks. The result is
/// `SequentialExecutor(enforcingDeclarations: true)`'s, exactly.
///
/// ## Algorithm
/// 1. `DependencyGraph` in one pass in block order (the caller's thread).
/// 2. Every transaction gets a pending counter = its number of
///    predecessors (packed 64-bit words in a C `SlotArray`); those at zero go
///    into the ready queue of their node (see NUMA placement).
/// 3. Workers (`WorkerTeam.broadcast`) take ready transactions, their own
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
    public let team: any WorkerTeam
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
    ///   - team: the workers (at least 1).
    ///   - node: NUMA node of the counters (nil: no binding), and of every
    ///     worker when `workerNodes` is nil.
    ///   - workerNodes: for each worker, the node it runs on (see NUMA
    ///     placement); nil: `node` for all.
    public init(team: any WorkerTeam, node: NodeID? = nil, workerNodes: [NodeID?]? = nil) throws(ParallelExecutorError) {
        guard team.size >= 1 else { throw .unsupportedTeamSize(team.size) }
        if let workerNodes, workerNodes.count != team.size {
            throw .workerNodesMismatch(nodes: workerNodes.count, workers: team.size)
        }
        self.team = team
        self.node = node
        var nodes: [NodeID?] = []
        var nodeIndexOfWorker: [Int] = []
        for worker in 0..<team.size {
            let workerNode = workerNodes?[worker] ?? node
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
        workers = (0..<team.size).map { DeclaredWorker(index: $0, size: team.size, nodeIndex: nodeIndexOfWorker[$0]) }
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

    /// A declared-access executor on a new `ThreadTeam` of `threads` workers.
    public convenience init(threads: Int) throws(ParallelExecutorError) {
        let team: ThreadTeam
        do { team = try ThreadTeam(size: threads) } catch { throw .unsupportedTeamSize(threads) }
        try self.init(team: team)
    }

    public func execute(_ transactions: [any Transaction], on base: any StateView) -> BlockOutput {
        let count = transactions.count
        precondition(count < 1 << 31, "blocks are limited to 2^31 transactions")
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
            fatalError("declared-access executor memory: \(error)")
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
        withExtendedLifetime(block) {
            team.broadcast { index in workers[index].run(block, in: contexts[index]) }
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

/// The value slots of a block's declared keys, one region per node of the
/// executor (C memory bound to the node), and each transaction's node.
final class DeclaredSlots {
    let keyCount: Int
    let regions: [SlotArray]
    /// Per key id: its slot (nil inside: the block has not written the key;
    /// `.some(nil)`: deleted).
    let slotOfKey: UnsafeMutablePointer<UnsafeMutablePointer<StateValue??>>
    /// Per transaction: the node index that holds most of its declared keys.
    let transactionNodes: UnsafeMutablePointer<UInt32>

    init(graph: DependencyGraph, nodes: [NodeID?]) throws(SlotArrayError) {
        let keys = graph.keys
        keyCount = keys.count
        let transactionCount = graph.count
        let nodeCount = nodes.count
        slotOfKey = .allocate(capacity: Swift.max(1, keyCount))
        transactionNodes = .allocate(capacity: Swift.max(1, transactionCount))
        var homes = [UInt32](repeating: 0, count: keyCount)
        var sizes = [Int](repeating: 0, count: nodeCount)
        var local = [Int](repeating: 0, count: keyCount)
        for id in 0..<keyCount {
            let home = DeclaredAccessExecutor.homeNode(of: keys[id], nodes: nodeCount)
            homes[id] = UInt32(home)
            local[id] = sizes[home]
            sizes[home] += 1
        }
        let stride = MemoryLayout<StateValue??>.stride
        var regions: [SlotArray] = []
        do {
            for index in 0..<nodeCount {
                regions.append(try SlotArray(count: Swift.max(1, (sizes[index] * stride + 63) / 64), lineSize: .line, node: nodes[index]))
            }
        } catch {
            slotOfKey.deallocate()
            transactionNodes.deallocate()
            throw error
        }
        self.regions = regions
        let bases = regions.enumerated().map { index, region in
            region.base.bindMemory(to: StateValue??.self, capacity: Swift.max(1, sizes[index]))
        }
        for index in 0..<nodeCount { bases[index].initialize(repeating: nil, count: sizes[index]) }
        for id in 0..<keyCount { slotOfKey[id] = bases[Int(homes[id])] + local[id] }
        var tally = [Int](repeating: 0, count: nodeCount)
        for txn in 0..<UInt32(transactionCount) {
            guard nodeCount > 1 else {
                transactionNodes[Int(txn)] = 0
                continue
            }
            for index in 0..<nodeCount { tally[index] = 0 }
            // A credit does not touch the key's slot (see `resolveCredits`).
            let credit = graph.creditKeyOfTransaction[Int(txn)]
            for slot in graph.keyRange(of: txn) where graph.txnKeyIDs[slot] != credit {
                tally[Int(homes[Int(graph.txnKeyIDs[slot])])] += 1
            }
            var best = 0
            for index in 1..<nodeCount where tally[index] > tally[best] { best = index }
            transactionNodes[Int(txn)] = UInt32(best)
        }
    }

    deinit {
        for id in 0..<keyCount { slotOfKey[id].deinitialize(count: 1) }
        slotOfKey.deallocate()
        transactionNodes.deallocate()
    }
}

/// One block of `DeclaredAccessExecutor`: constants for the workers plus
/// the shared value slots and outputs, which the graph's edges order.
final class DeclaredBlock: @unchecked Sendable {
    let transactions: [any Transaction]
    let base: any StateView
    let graph: DependencyGraph
    let slots: DeclaredSlots
    /// The ready queue of each node (the executor keeps them alive).
    let queues: UnsafeMutablePointer<Unmanaged<MPMCQueue<UInt32>>>
    let pending: UnsafeMutablePointer<UInt64>
    let finished: UnsafeMutablePointer<UInt64>
    let outputs: UnsafeMutablePointer<TransactionOutput?>
    /// Per transaction: the amount of its fee credit, when that is a credit
    /// (`DependencyGraph.creditKeyOfTransaction`; 0: none or not yet run).
    let creditAmounts: UnsafeMutablePointer<UInt64>
    /// Per key id: the last transaction that wrote the key fully (`none`:
    /// none yet); full reads of a key that takes credits apply the credits
    /// of the transactions after it.
    let lastFullWriters: UnsafeMutablePointer<UInt32>
    /// Writes of barrier transactions to keys no declaration names; only
    /// barriers (which run alone) touch it.
    var overlay: [StateKey: StateValue?] = [:]

    init(transactions: [any Transaction], base: any StateView, graph: DependencyGraph, slots: DeclaredSlots,
         queues: UnsafeMutablePointer<Unmanaged<MPMCQueue<UInt32>>>,
         pending: UnsafeMutablePointer<UInt64>, finished: UnsafeMutablePointer<UInt64>) {
        self.transactions = transactions
        self.base = base
        self.graph = graph
        self.slots = slots
        self.queues = queues
        self.pending = pending
        self.finished = finished
        outputs = .allocate(capacity: transactions.count)
        outputs.initialize(repeating: nil, count: transactions.count)
        // Only blocks with credits use these (fresh pages per block cost page
        // faults and, when freed, TLB shootdowns that interrupt the workers).
        let creditCount = graph.hasCredits ? transactions.count : 0
        let creditKeyCount = graph.hasCredits ? graph.keys.count : 0
        creditAmounts = .allocate(capacity: Swift.max(1, creditCount))
        creditAmounts.initialize(repeating: 0, count: creditCount)
        lastFullWriters = .allocate(capacity: Swift.max(1, creditKeyCount))
        lastFullWriters.initialize(repeating: DependencyGraph.none, count: creditKeyCount)
    }

    deinit {
        outputs.deinitialize(count: transactions.count)
        outputs.deallocate()
        creditAmounts.deallocate()
        lastFullWriters.deallocate()
    }

    /// The slot of key id `id` (see `DeclaredSlots`).
    @inline(__always)
    func value(_ id: UInt32) -> UnsafeMutablePointer<StateValue??> { slots.slotOfKey[Int(id)] }

    /// Node index of transaction `txn`.
    @inline(__always)
    func node(of txn: UInt32) -> Int { Int(slots.transactionNodes[Int(txn)]) }

    @inline(__always)
    func tryDequeue(_ node: Int) -> UInt32? { queues[node]._withUnsafeGuaranteedRef { $0.tryDequeue() } }

    /// Waits up to `timeoutNanoseconds` for a ready transaction of `node`.
    func dequeue(_ node: Int, timeoutNanoseconds: Int64) -> UInt32? {
        queues[node]._withUnsafeGuaranteedRef { $0.dequeue(timeoutNanoseconds: timeoutNanoseconds) }
    }

    @inline(__always)
    func enqueue(_ txn: UInt32) {
        let accepted = queues[node(of: txn)]._withUnsafeGuaranteedRef { $0.tryEnqueue(txn) }
        precondition(accepted, "a ready queue holds a whole block")
    }
}

/// A worker of `DeclaredAccessExecutor`: takes ready transactions, runs
/// them, releases their successors, then collects its stride of the delta.
/// It is the reader of the execution context the executor pairs it with
/// (the context holds the worker, never the reverse).
final class DeclaredWorker: ContextReader, @unchecked Sendable {
    let index: Int
    let size: Int
    /// Index of this worker's node in the executor's `nodes`.
    let nodeIndex: Int
    /// Transactions this worker executed in the last block, and how many of
    /// them it took from another node's queue.
    private(set) var executed = 0
    private(set) var stolen = 0
    /// The running block and transaction, reached through a pointer so that
    /// the reader's accesses need no dynamic exclusivity checks (as
    /// `ParallelWorker.Scratch`).
    /// The block is unretained: the executor keeps it alive, and a retain
    /// per read would bounce the block's reference count between workers.
    struct Current {
        var block: Unmanaged<DeclaredBlock>?
        var txn: UInt32 = 0
    }
    private let current: UnsafeMutablePointer<Current>
    let deltaWrites = MoveBuffer<StateWrite>()
    private(set) var deltaCommitment = StateCommitment()
    /// Keeps other workers' objects off this one's lines (see `LinePadding`).
    private let padding = LinePadding()

    init(index: Int, size: Int, nodeIndex: Int) {
        self.index = index
        self.size = size
        self.nodeIndex = nodeIndex
        current = .allocate(capacity: 1)
        current.initialize(to: Current())
    }

    deinit {
        current.deinitialize(count: 1)
        current.deallocate()
    }

    /// Longest park of an idle worker before it re-checks for the end of the block.
    static let parkNanoseconds: Int64 = 100_000

    func endBlock() { current.pointee.block = nil }

    /// Runs ready transactions of `block` in `context` (whose reader is this worker) until all finished.
    func run(_ block: DeclaredBlock, in context: ExecutionContext) {
        current.pointee.block = Unmanaged.passUnretained(block)
        deltaWrites.removeAll()
        deltaCommitment = StateCommitment()
        executed = 0
        stolen = 0
        let total = UInt64(block.transactions.count)
        let nodeCount = block.slots.regions.count
        var backoff = Backoff()
        while true {
            var ready = block.tryDequeue(nodeIndex)
            if ready == nil {
                // Steal: another node's ready transaction, the nearest index first.
                for offset in 1..<nodeCount {
                    ready = block.tryDequeue((nodeIndex + offset) % nodeCount)
                    if ready != nil {
                        stolen += 1
                        break
                    }
                }
            }
            if ready == nil && backoff.isCompleted {
                // Park instead of yielding forever (a chain leaves the other
                // workers idle, and on a shared machine their yields take CPU
                // from the worker that runs it); the timeout bounds how late a
                // parked worker notices the end of the block or work queued
                // on another node.
                ready = block.dequeue(nodeIndex, timeoutNanoseconds: DeclaredWorker.parkNanoseconds)
            }
            if var txn = ready {
                // Follow the chain: the successor this transaction made ready
                // runs here next, on warm caches, without a queue round trip.
                while let next = execute(txn, block, in: context) { txn = next }
                backoff.reset()
                continue
            }
            // Acquire pairs with the acq_rel increments of `execute`.
            if px_atomic_load(block.finished, px_load_acquire) == total { break }
            backoff.snooze()
        }
        collectDelta(block)
    }

    /// Runs `txn` and releases its successors; returns one that became ready
    /// (the caller runs it next) and enqueues the others.
    private func execute(_ txn: UInt32, _ block: DeclaredBlock, in context: ExecutionContext) -> UInt32? {
        executed += 1
        current.pointee.txn = txn
        guard case .finished(let output) = context.run(block.transactions[Int(txn)], at: TxnIndex(txn)) else {
            preconditionFailure("the declared-access reader never suspends")
        }
        for write in output.writeSet { store(write.key, write.value, block) }
        (block.outputs + Int(txn)).pointee = output
        var kept: UInt32?
        for successor in block.graph.successors(of: txn) {
            // acq_rel: see the type's memory orders.
            guard px_atomic_fetch_add(block.pending + Int(successor), UInt64.max, px_rmw_acq_rel) == 1 else { continue }
            if kept == nil && block.node(of: successor) == nodeIndex {
                kept = successor
            } else {
                block.enqueue(successor)
            }
        }
        _ = px_atomic_fetch_add(block.finished, 1, px_rmw_acq_rel)
        return kept
    }

    /// The slot of `key` for the running transaction: its declared key's id,
    /// or for a barrier the block-wide id (nil: a key only barriers touch).
    @inline(__always)
    private func slot(_ key: StateKey, _ block: DeclaredBlock) -> UInt32? {
        let txn = current.pointee.txn
        if block.graph.declared[Int(txn)] {
            guard let id = block.graph.declaredKeyID(key, of: txn) else {
                preconditionFailure("the context let txn \(txn) touch undeclared key \(key)")
            }
            return id
        }
        return block.graph.keyID(key)
    }

    /// Whether `key` is the running transaction's own fee credit (resolved
    /// after the block, see `DeclaredAccessExecutor.resolveCredits`).
    @inline(__always)
    private func isOwnCredit(_ key: StateKey, _ block: DeclaredBlock) -> Bool {
        guard block.graph.hasCredits else { return false }
        let id = block.graph.creditKeyOfTransaction[Int(current.pointee.txn)]
        return id != DependencyGraph.none && block.graph.keys[Int(id)] == key
    }

    private func store(_ key: StateKey, _ value: StateValue?, _ block: DeclaredBlock) {
        if isOwnCredit(key, block) { return }
        if let id = slot(key, block) {
            if block.graph.takesCredits(Int(id)) { block.lastFullWriters[Int(id)] = current.pointee.txn }
            block.value(id).pointee = .some(value)
        } else {
            block.overlay[key] = .some(value)
        }
    }

    func readThrough(_ key: StateKey) throws(ExecutionError) -> StateValue? {
        current.pointee.block.unsafelyUnwrapped._withUnsafeGuaranteedRef { read(key, $0) }
    }

    @inline(__always)
    private func read(_ key: StateKey, _ block: DeclaredBlock) -> StateValue? {
        if let id = slot(key, block) {
            let stored = block.value(id).pointee ?? block.base.read(key)
            return block.graph.takesCredits(Int(id)) ? withCredits(stored, id, block) : stored
        } else if let written = block.overlay[key] {
            return written
        }
        return block.base.read(key)
    }

    /// `value` (the key's value after its last full writer) with the fee
    /// credits of the transactions between that writer and the running one
    /// applied in block order, each dropped on overflow as the sequential
    /// executor drops it. The graph made all of them finish before this
    /// full access, and no later writer can have run.
    private func withCredits(_ value: StateValue?, _ id: UInt32, _ block: DeclaredBlock) -> StateValue? {
        let writer = block.lastFullWriters[Int(id)]
        var result = value
        for txn in (writer == DependencyGraph.none ? 0 : Int(writer) + 1)..<Int(current.pointee.txn)
        where block.graph.creditKeyOfTransaction[txn] == id && block.creditAmounts[txn] > 0 {
            result = DeltaOperand.credit(block.creditAmounts[txn], to: result) ?? result
        }
        return result
    }

    func checkDelta(_ key: StateKey, _ delta: DeltaOperand, upper: UInt128) throws(ExecutionError) -> Bool {
        // An own credit is decided after the block (`resolveCredits`).
        if current.pointee.block.unsafelyUnwrapped._withUnsafeGuaranteedRef({ isOwnCredit(key, $0) }) { return true }
        return delta.apply(to: try readThrough(key)?.uint128Value ?? 0, upper: upper) != nil
    }

    func deltaResult(_ key: StateKey, _ delta: DeltaOperand) -> StateValue? {
        current.pointee.block.unsafelyUnwrapped._withUnsafeGuaranteedRef { block in
            if isOwnCredit(key, block) {
                // Recorded for the readers after it and `resolveCredits`,
                // which also replaces this placeholder by the exact value.
                block.creditAmounts[Int(current.pointee.txn)] = UInt64(truncatingIfNeeded: delta.magnitude)
                return delta.encode(delta.magnitude)
            }
            // The slots order every delta after the key's earlier writers, as
            // the sequential overlay does; this reader never throws.
            return applyOwn(delta, to: read(key, block))
        }
    }

    private func collectDelta(_ block: DeclaredBlock) {
        let keys = block.graph.keys
        var id = index
        while id < keys.count {
            // Keys that take credits are resolved by the executor (`resolveCredits`).
            if !block.graph.takesCredits(id), let value = block.value(UInt32(id)).pointee {
                deltaCommitment.update(keys[id], from: block.base.read(keys[id]), to: value)
                deltaWrites.append(StateWrite(key: keys[id], value: value))
            }
            id += size
        }
    }
}
