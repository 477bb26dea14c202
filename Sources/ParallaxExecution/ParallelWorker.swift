import CParallax
import ParallaxConcurrency

/// One worker of `ParallelExecutor`: its task loop (Block-STM paper,
/// Algorithm 1), its arenas, and the reader its execution context uses.
///
/// Everything here is owned by the worker's thread during a block, except
/// what it publishes: version nodes and values (through `MultiVersionMemory`),
/// read-set records (through `Scheduler.publishReadSet`) and transaction
/// records (through the status word of the transaction).
final class ParallelWorker: ContextReader, @unchecked Sendable {
    let index: Int
    let nodes: WordArena
    let keys: WordArena
    let readSets: WordArena
    let values: ValueArena
    private var context: ExecutionContext!

    /// Key ids this worker interned in the current block.
    private(set) var claimed: [UInt64] = []
    /// (key id, read descriptor) pairs of the running execution.
    private var reads: [UInt64] = []
    /// (key id, node address) pairs being recorded.
    private var written: [UInt64] = []
    private var currentTxn: UInt32 = 0
    private var currentIncarnation: UInt32 = 0

    // The block being executed, unpacked into fields so that the hot path
    // touches no struct copies and no reference counts (the executor keeps
    // every referenced object alive while the block runs).
    private unowned(unsafe) let scheduler: Scheduler
    private unowned(unsafe) var table: KeyTable
    private var memory: MultiVersionMemory
    private var transactions: [any Transaction] = []
    private var base: any StateView = InMemoryState()
    private var records: UnsafeMutablePointer<TxnRecord>
    private var blockNumber: UInt64 = 0
    private var contentionHint = true

    let deltaWrites = MoveBuffer<StateWrite>()
    private(set) var deltaCommitment = StateCommitment()
    private(set) var executions = 0
    private(set) var validations = 0
    private(set) var suspensions = 0

    init(index: Int, node: NodeID?, values: ValueArena, scheduler: Scheduler, memory: MultiVersionMemory,
         records: UnsafeMutablePointer<TxnRecord>) {
        self.index = index
        nodes = WordArena(chunkWords: 1 << 13, node: node)
        keys = WordArena(chunkWords: 1 << 13, node: node)
        readSets = WordArena(chunkWords: 1 << 13, node: node)
        self.values = values
        self.scheduler = scheduler
        self.memory = memory
        table = memory.table
        self.records = records
        context = ExecutionContext(reader: self)
    }

    // MARK: Task loop

    func run(_ block: BlockContext) {
        table = block.table
        memory = block.memory
        transactions = block.transactions
        base = block.base
        records = block.records
        blockNumber = block.blockNumber
        contentionHint = block.contentionHint
        nodes.reset()
        keys.reset()
        readSets.reset()
        values.reset()
        claimed.removeAll(keepingCapacity: true)
        deltaWrites.removeAll()
        deltaCommitment = StateCommitment()
        executions = 0
        validations = 0
        suspensions = 0

        var task = Scheduler.Task.none
        var backoff = Backoff()
        while !scheduler.isHalted {
            switch task {
            case .execute(let txn, let incarnation):
                task = execute(txn, incarnation)
                commit()
            case .validate(let txn, let incarnation):
                task = validateTask(txn, incarnation)
                commit()
            case .none:
                if scheduler.isDone { break }
                task = scheduler.nextTask()
                if task == .none { backoff.snooze() } else { backoff.reset() }
                continue
            }
            if task == .none && scheduler.isDone { break }
        }
        if !scheduler.isHalted { collectDelta() }
    }

    /// Drops the block's references (transactions, base state) once the
    /// executor has swept the commit index and gathered the outputs.
    func endBlock() {
        transactions = []
        base = InMemoryState()
    }

    @inline(__always)
    private func commit() {
        scheduler.commitPrefix { txn, incarnation in validate(txn, incarnation) }
    }

    /// Runs incarnation `incarnation` of `txn` and records it (paper: try_execute).
    private func execute(_ txn: UInt32, _ incarnation: UInt32) -> Scheduler.Task {
        executions += 1
        currentTxn = txn
        currentIncarnation = incarnation
        reads.removeAll(keepingCapacity: true)
        let attempt = context.run(transactions[Int(txn)], at: TxnIndex(txn))
        if scheduler.isHalted { return .none }
        guard case .finished(let output) = attempt else {
            // The reader registered the dependency and ended the task.
            suspensions += 1
            return .none
        }

        var wroteNewLocation = false
        written.removeAll(keepingCapacity: true)
        let writeKeys = context.writeKeys
        let writeValues = context.writeValues
        for slot in writeKeys.indices {
            guard let id = table.intern(writeKeys[slot], arena: keys, claimed: &claimed) else {
                scheduler.halt()
                return .none
            }
            let valueID = values.append(writeValues[slot])
            let (node, isNew) = memory.write(id, by: txn, word: MultiVersionMemory.versionWord(incarnation, valueID), arena: nodes)
            if isNew { wroteNewLocation = true }
            written.append(id)
            written.append(UInt64(UInt(bitPattern: node)))
        }
        let record = records + Int(txn)
        if record.pointee.block == blockNumber {
            removeStaleVersions(previous: record.pointee.nodes, incarnation: incarnation)
        } else {
            record.pointee.block = blockNumber
        }
        swap(&record.pointee.nodes, &written)
        record.pointee.output = output

        let recordWords = readSets.allocate(1 + reads.count)
        recordWords[0] = UInt64(reads.count / 2) << 32 | UInt64(incarnation)
        reads.withUnsafeBufferPointer { buffer in
            if let source = buffer.baseAddress { (recordWords + 1).update(from: source, count: buffer.count) }
        }
        scheduler.publishReadSet(txn, recordWords)
        return scheduler.finishExecution(txn, incarnation, wroteNewLocation: wroteNewLocation)
    }

    /// Marks ABSENT the versions of the previous incarnation that this one
    /// did not write again (`written` holds this incarnation's pairs).
    private func removeStaleVersions(previous: [UInt64], incarnation: UInt32) {
        guard !previous.isEmpty else { return }
        if previous.count * written.count <= 4096 {
            var pair = 0
            while pair < previous.count {
                let id = previous[pair]
                var found = false
                var other = 0
                while other < written.count {
                    if written[other] == id { found = true; break }
                    other += 2
                }
                if !found { MultiVersionMemory.markAbsent(MultiVersionMemory.node(previous[pair + 1]), incarnation: incarnation) }
                pair += 2
            }
        } else {
            var current = Set<UInt64>()
            for pair in stride(from: 0, to: written.count, by: 2) { current.insert(written[pair]) }
            for pair in stride(from: 0, to: previous.count, by: 2) where !current.contains(previous[pair]) {
                MultiVersionMemory.markAbsent(MultiVersionMemory.node(previous[pair + 1]), incarnation: incarnation)
            }
        }
    }

    /// Validates and, if invalid, aborts (paper: needs_reexecution).
    private func validateTask(_ txn: UInt32, _ incarnation: UInt32) -> Scheduler.Task {
        let prefixCommitted = scheduler.committedCount >= UInt64(txn)
        let valid = validate(txn, incarnation)
        let aborted = !valid && scheduler.tryValidationAbort(txn, incarnation)
        if aborted {
            let pairs = records[Int(txn)].nodes
            var pair = 1
            while pair < pairs.count {
                MultiVersionMemory.markEstimate(MultiVersionMemory.node(pairs[pair]))
                pair += 2
            }
        } else if valid && prefixCommitted {
            scheduler.markValidatedAfterPrefix(txn, incarnation)
        }
        return scheduler.finishValidation(txn, aborted: aborted)
    }

    /// Whether the read-set of `incarnation` of `txn` still reads the same
    /// versions. A record of another incarnation means the task is stale:
    /// the status has moved on, so any abort of it would fail anyway.
    func validate(_ txn: UInt32, _ incarnation: UInt32) -> Bool {
        validations += 1
        guard let record = scheduler.readSet(txn) else { return true }
        let header = record[0]
        guard UInt32(truncatingIfNeeded: header) == incarnation else { return true }
        var entry = record + 1
        let end = entry + 2 * Int(header >> 32)
        while entry < end {
            if memory.read(entry[0], by: txn).descriptor != entry[1] { return false }
            entry += 2
        }
        return true
    }

    // MARK: Reads of the execution context

    func readThrough(_ key: StateKey) throws(ExecutionError) -> StateValue? {
        guard let id = table.intern(key, arena: keys, claimed: &claimed) else {
            scheduler.halt()
            throw .suspended
        }
        while true {
            let (descriptor, valueID) = memory.read(id, by: currentTxn)
            if descriptor & MultiVersionMemory.estimateDescriptor != 0 {
                let blocker = UInt32(truncatingIfNeeded: descriptor)
                if scheduler.addDependency(currentTxn, currentIncarnation, on: blocker) { throw .suspended }
                continue
            }
            if contentionHint, currentTxn > 0, shouldWaitForPredecessor(id, descriptor) {
                if scheduler.addDependency(currentTxn, currentIncarnation, on: currentTxn - 1) { throw .suspended }
                continue
            }
            reads.append(id)
            reads.append(descriptor)
            return descriptor == MultiVersionMemory.storageDescriptor ? base.read(key) : memory.values.value(valueID)
        }
    }

    /// Keys written by at least this many transactions of the block count
    /// as hot for `shouldWaitForPredecessor`.
    static let hotWriters: UInt64 = 3

    /// The contention hint: a read of a hot key whose latest version below
    /// the reader is older than its immediate predecessor, while that
    /// predecessor has not finished executing, would very likely read a
    /// value the predecessor is about to overwrite. Executing it now would
    /// burn a whole execution and an abort; instead the reader suspends on
    /// the predecessor, exactly as on an ESTIMATE. Correctness never depends
    /// on this (a suspension only delays), and keys with fewer writers, such
    /// as nearly all keys of a low-contention block, are never delayed.
    @inline(__always)
    private func shouldWaitForPredecessor(_ id: UInt64, _ descriptor: UInt64) -> Bool {
        // The writer of the version read, plus one (0: the base state).
        let writerPlusOne = descriptor >> 32
        guard writerPlusOne < UInt64(currentTxn),
              px_atomic_load(KeyTable.writers(id), px_relaxed) >= ParallelWorker.hotWriters else { return false }
        let state = scheduler.status(of: currentTxn - 1).state
        return state != Scheduler.executed && state != Scheduler.committed
    }

    // MARK: End of block

    /// The final value of every key this worker interned, and its share of
    /// the state-root update.
    private func collectDelta() {
        for id in claimed {
            guard let word = memory.finalVersion(id) else { continue }
            let key = KeyTable.key(id)
            let value = memory.values.value(UInt32(truncatingIfNeeded: word))
            deltaCommitment.update(key, from: base.read(key), to: value)
            deltaWrites.append(StateWrite(key: key, value: value))
        }
    }
}
