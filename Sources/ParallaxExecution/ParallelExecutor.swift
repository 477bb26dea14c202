import ParallaxConcurrency
import ParallaxTopology

/// Executes a block with Block-STM on a `WorkerPool`: optimistic parallel
/// execution over `MultiVersionMemory`, tasks from the collaborative
/// `Scheduler`, and a result identical to `SequentialExecutor`'s.
///
/// Per block: the key table, scheduler lines and worker arenas are reset
/// (O(block), no clearing of the key table), every worker runs the task
/// loop of the paper (Algorithm 1) until the scheduler reports done, then
/// derives the final value of each key it interned and its share of the
/// state-root update, in parallel: one `WorkerPool.broadcast` per block,
/// during which the caller's thread parks.
///
/// If the key table overflows (a block touching far more keys than its
/// size suggests), the block is abandoned and run again with a table four
/// times larger; the larger size is kept for later blocks.
///
/// One block at a time: `execute` must not be called concurrently.
public final class ParallelExecutor: BlockExecutor, @unchecked Sendable {
    /// The workers: a topology plan's pool (pinned, NUMA-placed) or a plain one.
    public let pool: WorkerPool
    /// The NUMA node of the shared structures (key index, scheduler lines) and of a plain pool's workers' arenas (nil: no binding).
    public let node: NodeID?
    public private(set) var lastStatistics = ExecutionStatistics()
    /// Whether readers of hot keys wait for an unfinished predecessor instead
    /// of executing speculatively (see `ParallelWorker.shouldWaitForPredecessor`).
    /// On by default; off reproduces plain Block-STM for comparison.
    public var contentionHint = true
    /// Whether transactions' `declaredAccess` steers speculation: a read of
    /// a declared key waits until the last earlier declared writer of that
    /// key has executed (see `ParallelWorker.awaitDeclaredWriter`). Off by
    /// default; wrong or missing declarations only cost time.
    public var declarationHints = false

    var table: KeyTable
    let schedulerMemory: SchedulerMemory
    /// The scheduler of the current (or last) block.
    private(set) var scheduler: Scheduler
    let workers: [ParallelWorker]
    let contexts: WorkerContexts
    let directory: ValueDirectory
    private(set) var records: UnsafeMutablePointer<TxnRecord>
    private var recordCapacity = 0
    private(set) var blockNumber: UInt64 = 0
    /// What workers point at between blocks, so they never hold a dangling block.
    private let idleBlock: BlockContext
    /// The block being executed, kept alive for the workers' unowned references.
    private var currentBlock: BlockContext?
    private var lastCount = 0
    /// The executions the workers timed in the last run (monitor on only):
    /// total thread CPU time and count.
    private(set) var lastSample: (nanoseconds: Int64, count: Int) = (0, 0)

    /// - Parameters:
    ///   - pool: the workers (at most 254). Each worker's arenas (version
    ///     nodes, key entries, read-sets) live on its node
    ///     (`pool.workerNodes`), or on `node` for a plain pool's workers.
    ///     The executor broadcasts on the pool once per block; the pool may
    ///     run other tasks between blocks, but not be shut down while the
    ///     executor is in use (a block then fails with `.workersUnavailable`).
    ///   - node: NUMA node for the shared structures: key index, scheduler
    ///     lines (nil: no binding).
    public init(pool: WorkerPool, node: NodeID? = nil) throws(ParallelExecutorError) {
        guard pool.count < ValueArena.maxWorkers else { throw .unsupportedTeamSize(pool.count) }
        let workerNodes = pool.workerNodes
        self.pool = pool
        self.node = node
        do {
            table = try KeyTable(capacity: 1024, node: node)
            schedulerMemory = try SchedulerMemory(node: node)
            scheduler = try schedulerMemory.reset(count: 0)
        } catch {
            throw .outOfMemory("\(error)")
        }
        let arenas = (0..<pool.count).map { ValueArena(worker: $0) }
        directory = ValueDirectory(arenas)
        records = .allocate(capacity: 1)
        let placeholder = BlockContext(transactions: [], elements: UnsafeBufferPointer(start: nil, count: 0),
                                       base: InMemoryState(), table: table,
                                       memory: MultiVersionMemory(values: directory), scheduler: scheduler,
                                       records: records, blockNumber: 0, contentionHint: false)
        idleBlock = placeholder
        workers = arenas.map { arena in
            ParallelWorker(node: workerNodes[Int(arena.worker)] ?? node, values: arena, placeholder: placeholder)
        }
        contexts = WorkerContexts(readers: workers, enforcingDeclarations: false)
    }

    /// A parallel executor on a new plain pool (`WorkerPool(threads:)`) of
    /// `threads` workers, which it owns.
    public convenience init(threads: Int) throws(ParallelExecutorError) {
        guard threads >= 1, threads < ValueArena.maxWorkers else { throw .unsupportedTeamSize(threads) }
        let pool: WorkerPool
        do { pool = try WorkerPool(threads: threads) } catch { throw .pool(error) }
        try self.init(pool: pool)
    }

    deinit {
        for index in 0..<recordCapacity { records[index].nodes.deallocate() }
        records.deinitialize(count: recordCapacity)
        records.deallocate()
        directory.deallocate()
    }

    /// The largest block this executor takes.
    public static let maxTransactions = 1 << 30 - 1

    public func tryExecute(_ transactions: [any Transaction], on base: any StateView) throws(ExecutorFailure) -> BlockOutput {
        switch try run(transactions, on: base, indexOffset: 0, monitor: .off) {
        case .complete(let output): return output
        case .yielded: throw .invariantViolated("a block without a contention monitor yielded")
        }
    }

    /// How a run of `run(_:on:indexOffset:monitor:)` ended.
    enum Run {
        /// Every transaction committed: the block's output.
        case complete(BlockOutput)
        /// The monitor yielded: the outputs of the committed prefix, in
        /// order, each write-set materialized (final values, deltas folded).
        case yielded([TransactionOutput])
    }

    /// Executes `transactions` as one Block-STM block, reporting each as
    /// transaction `indexOffset + position`; with a `monitor`, the workers
    /// may yield the block, which then ends with its committed prefix.
    func run(_ transactions: [any Transaction], on base: any StateView, indexOffset: UInt32,
             monitor: BlockMonitor) throws(ExecutorFailure) -> Run {
        let count = transactions.count
        guard count <= ParallelExecutor.maxTransactions else {
            throw .blockTooLarge(transactions: count, limit: ParallelExecutor.maxTransactions)
        }
        var statistics = ExecutionStatistics()
        guard count > 0 else {
            lastCount = 0
            lastStatistics = statistics
            return .complete(BlockOutput(transactions: [], stateDelta: StateDelta(writes: []), stateRoot: base.commitment.root))
        }
        ensureRecords(count)
        lastSample = (0, 0)
        var yielded = false
        let hints = declarationHints ? DependencyGraph(transactions) : nil
        var desired = Swift.max(1024, count * 8)
        // Workers reach the transactions through a pointer (no array retain
        // per execution), valid for the broadcasts inside this closure.
        try transactions.withUnsafeBufferPointer { (elements) throws(ExecutorFailure) in
            while true {
                if table.capacity < desired {
                    do { table = try KeyTable(capacity: desired, node: node) } catch { throw .outOfMemory("key table: \(error)") }
                }
                blockNumber += 1
                table.beginBlock()
                do { scheduler = try schedulerMemory.reset(count: count) } catch { throw .outOfMemory("scheduler lines: \(error)") }
                let block = BlockContext(transactions: transactions, elements: elements, base: base, table: table,
                                         memory: MultiVersionMemory(values: directory),
                                         scheduler: scheduler, records: records, blockNumber: blockNumber,
                                         contentionHint: contentionHint, hints: hints, indexOffset: indexOffset,
                                         monitor: monitor.started(at: MonotonicClock.nanoseconds()))
                currentBlock = block
                let workers = self.workers
                let contexts = self.contexts
                do {
                    try pool.broadcast { worker in workers[worker.index].run(block, in: contexts[worker.index]) }
                } catch {
                    abandonBlock()
                    throw .workersUnavailable("\(error)")
                }
                if let waiter = scheduler.failedWaiter {
                    abandonBlock()
                    throw .invariantViolated("suspended transaction \(waiter) was not Aborting when resumed")
                }
                if !scheduler.isHalted { break }
                if scheduler.isYielded {
                    yielded = true
                    break
                }
                statistics.restarts += 1
                desired = table.capacity * 4
            }
        }
        if monitor.enabled {
            for worker in workers {
                let sample = worker.sampledExecutions
                lastSample.nanoseconds += sample.nanoseconds
                lastSample.count += sample.count
            }
        }
        if yielded { return .yielded(try takeCommittedPrefix(statistics)) }
        lastCount = count

        // Workers commit as they go; whatever they left is validated here.
        let sweeper = workers[0]
        scheduler.commitPrefix({ txn, incarnation in sweeper.validate(txn, incarnation) }, committed: { txn in sweeper.materialize(txn) })
        guard scheduler.committedCount == UInt64(count) else {
            abandonBlock()
            throw .invariantViolated("a completed block committed \(scheduler.committedCount) of \(count) transactions")
        }

        // Moves, not copies: see `MoveBuffer`.
        let outputOffset = MemoryLayout<TxnRecord>.offset(of: \TxnRecord.output).unsafelyUnwrapped
        let outputs = [TransactionOutput](unsafeUninitializedCapacity: count) { buffer, initialized in
            for index in 0..<count {
                let slot = (UnsafeMutableRawPointer(records + index) + outputOffset).assumingMemoryBound(to: TransactionOutput?.self)
                (buffer.baseAddress.unsafelyUnwrapped + index).initialize(to: slot.move().unsafelyUnwrapped)
                slot.initialize(to: nil)
            }
            initialized = count
        }
        var commitment = base.commitment
        let deltaCount = workers.reduce(0) { $0 + $1.deltaWrites.count }
        let writes = [StateWrite](unsafeUninitializedCapacity: deltaCount) { buffer, initialized in
            var next = buffer.baseAddress.unsafelyUnwrapped
            for worker in workers {
                let moved = worker.deltaWrites.count
                worker.deltaWrites.moveAll(to: next)
                next += moved
            }
            initialized = deltaCount
        }
        for worker in workers {
            commitment.merge(worker.deltaCommitment)
            statistics.executions += worker.executions
            statistics.validations += worker.validations
            statistics.suspensions += worker.suspensions
            worker.endBlock(idleBlock)
        }
        currentBlock = nil
        lastStatistics = statistics
        return .complete(BlockOutput(transactions: outputs, stateDelta: StateDelta(writes: writes), stateRoot: commitment.root))
    }

    /// After a yield: moves the committed prefix's outputs out of the
    /// records (their write-sets were materialized at commit, in order, so
    /// they are exactly the sequential executor's), keeps the workers'
    /// counters in `lastStatistics` and drops the block. A committed
    /// transaction without an output is the typed invariant failure the
    /// completed path throws too, not a trap.
    private func takeCommittedPrefix(_ partial: ExecutionStatistics) throws(ExecutorFailure) -> [TransactionOutput] {
        let committed = Int(scheduler.committedCount)
        var outputs: [TransactionOutput] = []
        outputs.reserveCapacity(committed)
        for index in 0..<committed {
            guard let output = records[index].output else {
                abandonBlock()
                throw .invariantViolated("committed transaction \(index) has no output")
            }
            outputs.append(output)
            records[index].output = nil
        }
        var statistics = partial
        for worker in workers {
            statistics.executions += worker.executions
            statistics.validations += worker.validations
            statistics.suspensions += worker.suspensions
        }
        abandonBlock()
        lastStatistics = statistics
        return outputs
    }

    /// Leaves a block without output: the workers drop it (the next block
    /// resets everything else they and the records hold).
    private func abandonBlock() {
        for worker in workers { worker.endBlock(idleBlock) }
        currentBlock = nil
        lastStatistics = ExecutionStatistics()
        lastCount = 0
    }

    private func ensureRecords(_ count: Int) {
        guard recordCapacity < count else { return }
        let capacity = Swift.max(count, recordCapacity * 2)
        let fresh = UnsafeMutablePointer<TxnRecord>.allocate(capacity: capacity)
        fresh.moveInitialize(from: records, count: recordCapacity)
        // One by one: each record owns its own list memory.
        for index in recordCapacity..<capacity { (fresh + index).initialize(to: TxnRecord()) }
        records.deallocate()
        records = fresh
        recordCapacity = capacity
    }

    #if DEBUG
    /// Checks the invariants of the scheduler, the key table and the
    /// multi-version memory as the last block left them.
    public func _checkInvariants() {
        guard lastCount > 0 else { return }
        scheduler._checkInvariants(complete: true)
        table._checkInvariants()
        let memory = MultiVersionMemory(values: directory)
        memory._checkInvariants(keys: workers.flatMap(\.claimed), blockComplete: true)
    }
    #endif
}

/// Why a `ParallelExecutor` or `DeclaredAccessExecutor` could not be created.
public enum ParallelExecutorError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The pool has a number of workers outside 1...254 (the associated value).
    case unsupportedTeamSize(Int)
    /// Memory for the executor's structures could not be had; the message says which.
    case outOfMemory(String)
    /// The executor's own plain pool could not start.
    case pool(WorkerPoolError)

    public var description: String {
        switch self {
        case .unsupportedTeamSize(let size): "the parallel executor supports 1 to 254 workers, got \(size)"
        case .outOfMemory(let reason): "parallel executor memory: \(reason)"
        case .pool(let error): "the executor's worker pool: \(error)"
        }
    }
}

/// What a transaction's latest incarnation left behind. Owned by whoever
/// owns the transaction's status (see `Scheduler`), so plain Swift memory.
struct TxnRecord {
    /// The block these fields belong to (older ones are stale).
    var block: UInt64 = 0
    /// (key id, version node address) pairs of the latest recorded incarnation.
    var nodes = WordList(capacity: 8)
    var output: TransactionOutput?
    /// Adjacent transactions finish on different workers at the same time:
    /// keep their records off each other's lines (see `LinePadding`).
    let padding = LinePadding()
}

/// Owns what the workers need for one block: the transactions, the base
/// state and the declaration hints stay alive here while workers use them
/// through the block's `view`.
final class BlockContext: @unchecked Sendable {
    let transactions: [any Transaction]
    let base: BaseStateBox
    let table: KeyTable
    /// Declared writers for `ParallelExecutor.declarationHints` (nil: off).
    let hints: DependencyGraph?
    let view: BlockView

    /// - Parameter elements: `transactions`' storage, valid while workers run this block.
    init(transactions: [any Transaction], elements: UnsafeBufferPointer<any Transaction>, base: any StateView,
         table: KeyTable, memory: MultiVersionMemory,
         scheduler: Scheduler, records: UnsafeMutablePointer<TxnRecord>, blockNumber: UInt64, contentionHint: Bool,
         hints: DependencyGraph? = nil, indexOffset: UInt32 = 0, monitor: BlockMonitor = .off) {
        self.transactions = transactions
        self.base = BaseStateBox(base)
        self.table = table
        self.hints = hints
        view = BlockView(transactions: elements.baseAddress, base: BaseState(self.base), index: table.view, memory: memory, scheduler: scheduler,
                         records: records, blockNumber: blockNumber, contentionHint: contentionHint,
                         hints: hints.map { Unmanaged.passUnretained($0) }, indexOffset: indexOffset, monitor: monitor)
    }

}

/// Holds a block's base state for `BaseState`.
final class BaseStateBox: @unchecked Sendable {
    let state: any StateView
    init(_ state: any StateView) { self.state = state }
}

/// Reads of a block's base state without reference counting: the state is
/// read in place through its box (an unretained reference the block keeps
/// alive). A copy of the `any StateView` existential, which a read through
/// a pointer to it makes, would retain the state's storage on every read,
/// from every worker.
struct BaseState: @unchecked Sendable {
    let box: Unmanaged<BaseStateBox>

    init(_ box: BaseStateBox) { self.box = .passUnretained(box) }

    @inline(__always)
    func read(_ key: StateKey) -> StateValue? {
        box._withUnsafeGuaranteedRef { $0.state.read(key) }
    }
}

/// A block as a worker sees it: plain pointers and constants, copied into
/// the worker's own memory, so that no hot-path access retains a shared
/// object. Valid while its `BlockContext` lives.
struct BlockView: @unchecked Sendable {
    /// The block's transactions (nil for an empty block), valid while the
    /// workers run the block (inside the executor's
    /// `withUnsafeBufferPointer` of the transactions).
    let transactions: UnsafePointer<any Transaction>?
    let base: BaseState
    let index: KeyIndex
    let memory: MultiVersionMemory
    let scheduler: Scheduler
    let records: UnsafeMutablePointer<TxnRecord>
    let blockNumber: UInt64
    let contentionHint: Bool
    let hints: Unmanaged<DependencyGraph>?
    /// Added to a transaction's position in `transactions` for the index the
    /// context reports (`ExecutionContext.transactionIndex`): the adaptive
    /// executor runs a block's suffix as a block of its own.
    let indexOffset: UInt32
    /// The adaptive executor's contention monitor (`BlockMonitor.off` otherwise).
    let monitor: BlockMonitor
}
