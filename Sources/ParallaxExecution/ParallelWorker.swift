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
    let readSets: WordArena
    let values: ValueArena
    private var context: ExecutionContext!

    /// Key ids this worker interned in the current block.
    private(set) var claimed: [UInt32] = []
    /// (key id, read descriptor) pairs of the running execution.
    private var reads: [UInt64] = []
    /// (key id, node address) pairs being recorded.
    private var written: [UInt64] = []
    private var currentTxn: UInt32 = 0
    private var currentIncarnation: UInt32 = 0
    private var block: BlockContext!

    var deltaWrites: [StateWrite] = []
    private(set) var deltaCommitment = StateCommitment()
    private(set) var executions = 0
    private(set) var validations = 0
    private(set) var suspensions = 0

    init(index: Int, node: NodeID?) {
        self.index = index
        nodes = WordArena(chunkWords: 1 << 13, node: node)
        readSets = WordArena(chunkWords: 1 << 13, node: node)
        values = ValueArena(worker: index)
        context = ExecutionContext(reader: self)
    }

    // MARK: Task loop

    func run(_ block: BlockContext) {
        self.block = block
        nodes.reset()
        readSets.reset()
        values.reset()
        claimed.removeAll(keepingCapacity: true)
        deltaWrites.removeAll(keepingCapacity: true)
        deltaCommitment = StateCommitment()
        executions = 0
        validations = 0
        suspensions = 0

        let scheduler = block.scheduler
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
    func endBlock() { block = nil }

    @inline(__always)
    private func commit() {
        block.scheduler.commitPrefix { txn, incarnation in validate(txn, incarnation) }
    }

    /// Runs incarnation `incarnation` of `txn` and records it (paper: try_execute).
    private func execute(_ txn: UInt32, _ incarnation: UInt32) -> Scheduler.Task {
        executions += 1
        currentTxn = txn
        currentIncarnation = incarnation
        reads.removeAll(keepingCapacity: true)
        let attempt = context.run(block.transactions[Int(txn)], at: TxnIndex(txn))
        if block.scheduler.isHalted { return .none }
        guard case .finished(let output) = attempt else {
            // The reader registered the dependency and ended the task.
            suspensions += 1
            return .none
        }

        let memory = block.memory
        var wroteNewLocation = false
        written.removeAll(keepingCapacity: true)
        let keys = context.writeKeys
        let writeValues = context.writeValues
        for slot in keys.indices {
            guard let id = block.table.intern(keys[slot], claimed: &claimed) else {
                block.scheduler.halt()
                return .none
            }
            let valueID = values.append(writeValues[slot])
            let (node, isNew) = memory.write(id, by: txn, word: MultiVersionMemory.versionWord(incarnation, valueID), arena: nodes)
            if isNew { wroteNewLocation = true }
            written.append(UInt64(id))
            written.append(UInt64(UInt(bitPattern: node)))
        }
        let record = block.records + Int(txn)
        if record.pointee.block == block.blockNumber {
            removeStaleVersions(previous: record.pointee.nodes, incarnation: incarnation)
        } else {
            record.pointee.block = block.blockNumber
        }
        swap(&record.pointee.nodes, &written)
        record.pointee.output = output

        let recordWords = readSets.allocate(1 + reads.count)
        recordWords[0] = UInt64(reads.count / 2) << 32 | UInt64(incarnation)
        reads.withUnsafeBufferPointer { buffer in
            if let source = buffer.baseAddress { (recordWords + 1).update(from: source, count: buffer.count) }
        }
        block.scheduler.publishReadSet(txn, recordWords)
        return block.scheduler.finishExecution(txn, incarnation, wroteNewLocation: wroteNewLocation)
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
        let scheduler = block.scheduler
        let prefixCommitted = scheduler.committedCount >= UInt64(txn)
        let valid = validate(txn, incarnation)
        let aborted = !valid && scheduler.tryValidationAbort(txn, incarnation)
        if aborted {
            let pairs = block.records[Int(txn)].nodes
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
        guard let record = block.scheduler.readSet(txn) else { return true }
        let header = record[0]
        guard UInt32(truncatingIfNeeded: header) == incarnation else { return true }
        let memory = block.memory
        var entry = record + 1
        let end = entry + 2 * Int(header >> 32)
        while entry < end {
            if memory.read(UInt32(truncatingIfNeeded: entry[0]), by: txn).descriptor != entry[1] { return false }
            entry += 2
        }
        return true
    }

    // MARK: Reads of the execution context

    func readThrough(_ key: StateKey) throws(ExecutionError) -> StateValue? {
        guard let id = block.table.intern(key, claimed: &claimed) else {
            block.scheduler.halt()
            throw .suspended
        }
        while true {
            let (descriptor, valueID) = block.memory.read(id, by: currentTxn)
            if descriptor & MultiVersionMemory.estimateDescriptor != 0 {
                let blocker = UInt32(truncatingIfNeeded: descriptor)
                if block.scheduler.addDependency(currentTxn, currentIncarnation, on: blocker) { throw .suspended }
                continue
            }
            reads.append(UInt64(id))
            reads.append(descriptor)
            return descriptor == MultiVersionMemory.storageDescriptor ? block.base.read(key) : block.memory.values.value(valueID)
        }
    }

    // MARK: End of block

    /// The final value of every key this worker interned, and its share of
    /// the state-root update.
    private func collectDelta() {
        let memory = block.memory
        for id in claimed {
            guard let word = memory.finalVersion(id) else { continue }
            let key = block.table.key(id)
            let value = memory.values.value(UInt32(truncatingIfNeeded: word))
            deltaCommitment.update(key, from: block.base.read(key), to: value)
            deltaWrites.append(StateWrite(key: key, value: value))
        }
    }
}
