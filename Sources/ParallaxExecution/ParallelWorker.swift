import ParallaxConcurrency

/// One worker of `ParallelExecutor`: its task loop (Block-STM paper,
/// Algorithm 1), its arenas, and the reader of the execution context the
/// executor pairs it with (the context holds the worker, never the reverse).
///
/// Everything here is owned by the worker's thread during a block, except
/// what it publishes: version nodes and values (through `MultiVersionMemory`),
/// read-set records (through `Scheduler.publishReadSet`) and transaction
/// records (through the status word of the transaction).
///
/// Files: the task loop here; the reads it serves as its context's reader
/// in `ParallelWorker+Reads.swift`, the delta read-set records they write in
/// `ParallelWorker+ReadSetRecords.swift`, the two wait heuristics in
/// `ParallelWorker+Hints.swift`.
final class ParallelWorker: ContextReader, @unchecked Sendable {
    let nodes: WordArena
    let keys: WordArena
    let readSets: WordArena
    let values: ValueArena

    /// The worker's mutable hot-path state, reached through a pointer so
    /// that its accesses need no dynamic exclusivity checks (see `WordList`).
    struct Scratch {
        /// Key ids this worker interned in the current block.
        var claimed = WordList(capacity: 1024)
        /// (key id, read descriptor) pairs of the running execution.
        var reads = WordList()
        /// (key id, node address) pairs being recorded.
        var written = WordList()
        var currentTxn: UInt32 = 0
        var currentIncarnation: UInt32 = 0
        var executions = 0
        var validations = 0
        var suspensions = 0
        /// The contention monitor's window (`noteFinished`).
        var windowFinished: UInt32 = 0
        var windowContended: UInt32 = 0
        /// Timed executions (`shouldSample`): countdown, CPU time, count.
        var sampleCountdown: UInt32 = 0
        var sampledNanoseconds: Int64 = 0
        var samples = 0
        /// The block being executed, as plain pointers and constants (the
        /// executor keeps the `BlockContext` behind it alive).
        var view: BlockView
        /// Keeps other allocations off these lines (see `LinePadding`).
        let padding = LinePadding()
    }
    let scratch: UnsafeMutablePointer<Scratch>

    /// The block being executed and its scheduler. Workers never hold the
    /// block's shared objects (`BlockContext`, `KeyTable`, `SchedulerMemory`,
    /// the base state) on the hot path: a retain of a shared object is an
    /// atomic write to a line that every worker bounces.
    var block: BlockView {
        @inline(__always) get { scratch.pointee.view }
    }
    var scheduler: Scheduler {
        @inline(__always) get { scratch.pointee.view.scheduler }
    }

    let deltaWrites = MoveBuffer<StateWrite>()
    private(set) var deltaCommitment = StateCommitment()
    /// Keeps other workers' objects off this one's lines (see `LinePadding`).
    private let padding = LinePadding()
    var executions: Int { scratch.pointee.executions }
    var validations: Int { scratch.pointee.validations }
    var suspensions: Int { scratch.pointee.suspensions }
    /// CPU time and count of the executions timed for the adaptive executor.
    var sampledExecutions: (nanoseconds: Int64, count: Int) { (scratch.pointee.sampledNanoseconds, scratch.pointee.samples) }
    var claimed: [UInt64] { scratch.pointee.claimed.array }

    init(node: NodeID?, values: ValueArena, placeholder: BlockContext) {
        nodes = WordArena(chunkWords: 1 << 13, node: node)
        keys = WordArena(chunkWords: 1 << 13, node: node)
        readSets = WordArena(chunkWords: 1 << 13, node: node)
        self.values = values
        scratch = .allocate(capacity: 1)
        scratch.initialize(to: Scratch(view: placeholder.view))
    }

    deinit {
        scratch.pointee.claimed.deallocate()
        scratch.pointee.reads.deallocate()
        scratch.pointee.written.deallocate()
        scratch.deinitialize(count: 1)
        scratch.deallocate()
    }

    // MARK: Task loop

    /// Points the worker at the idle placeholder once the executor has
    /// gathered the block, so the block's transactions and state can go.
    func endBlock(_ idle: BlockContext) { scratch.pointee.view = idle.view }

    /// Runs the task loop over `block`, executing in `context` (whose reader is this worker).
    func run(_ block: BlockContext, in context: ExecutionContext) {
        scratch.pointee.view = block.view
        nodes.reset()
        keys.reset()
        readSets.reset()
        values.reset()
        scratch.pointee.claimed.removeAll()
        deltaWrites.removeAll()
        deltaCommitment = StateCommitment()
        scratch.pointee.executions = 0
        scratch.pointee.validations = 0
        scratch.pointee.suspensions = 0
        scratch.pointee.windowFinished = 0
        scratch.pointee.windowContended = 0
        scratch.pointee.sampledNanoseconds = 0
        scratch.pointee.samples = 0

        var task = Scheduler.Task.none
        var backoff = Backoff()
        while !scheduler.isHalted {
            switch task {
            case .execute(let txn, let incarnation):
                task = execute(txn, incarnation, in: context)
                commit()
            case .validate(let txn, let incarnation):
                task = validateTask(txn, incarnation)
                commit()
            case .none:
                if scheduler.isDone { break }
                task = scheduler.nextTask()
                if task == .none {
                    // Idle: commit whatever became committable. Commits
                    // otherwise follow tasks, and a commit attempt that
                    // finds the lock taken relies on its holder's pass.
                    commit()
                    backoff.snooze()
                } else {
                    backoff.reset()
                }
                continue
            }
            if task == .none && scheduler.isDone { break }
        }
        if !scheduler.isHalted { collectDelta() }
    }

    @inline(__always)
    private func commit() {
        scheduler.commitPrefix({ txn, incarnation in validate(txn, incarnation) },
                               committed: { txn in materialize(txn); notePace(committed: txn) })
    }

    /// Runs incarnation `incarnation` of `txn` and records it (paper: try_execute).
    private func execute(_ txn: UInt32, _ incarnation: UInt32, in context: ExecutionContext) -> Scheduler.Task {
        let scratch = self.scratch
        let block = self.block
        scratch.pointee.executions += 1
        scratch.pointee.currentTxn = txn
        scratch.pointee.currentIncarnation = incarnation
        scratch.pointee.reads.removeAll()
        let sampleStart = shouldSample() ? threadCPUNanoseconds() : 0
        let attempt = context.run(block.transactions.unsafelyUnwrapped[Int(txn)], at: TxnIndex(txn &+ block.indexOffset))
        if scheduler.isHalted { return .none }
        guard case .finished(let output) = attempt else {
            // The reader registered the dependency and ended the task.
            scratch.pointee.suspensions += 1
            return .none
        }
        if sampleStart != 0 { noteSample(threadCPUNanoseconds() - sampleStart) }
        noteFinished(incarnation: incarnation)

        var wroteNewLocation = false
        scratch.pointee.written.removeAll()
        let writeKeys = context.writeKeys
        let writeValues = context.writeValues
        let writeDeltas = context.writeDeltas
        for slot in writeKeys.indices {
            guard let id = intern(writeKeys[slot]) else { return .none }
            var word: UInt64
            if let delta = writeDeltas[slot] {
                word = MultiVersionMemory.versionWord(incarnation, values.append(delta.stored)) | MultiVersionMemory.deltaBit
            } else {
                word = MultiVersionMemory.versionWord(incarnation, values.append(writeValues[slot]))
            }
            let (node, isNew) = block.memory.write(id, by: txn, word: word, arena: nodes)
            if isNew { wroteNewLocation = true }
            scratch.pointee.written.append(id)
            scratch.pointee.written.append(UInt64(UInt(bitPattern: node)))
        }
        let record = block.records + Int(txn)
        if record.pointee.block == block.blockNumber {
            removeStaleVersions(previous: record.pointee.nodes, incarnation: incarnation)
        } else {
            record.pointee.block = block.blockNumber
        }
        swap(&record.pointee.nodes, &scratch.pointee.written)
        record.pointee.output = output

        let reads = scratch.pointee.reads
        let recordWords = readSets.allocate(1 + reads.count)
        recordWords[0] = UInt64(reads.count / 2) << 32 | UInt64(incarnation)
        (recordWords + 1).update(from: reads.base, count: reads.count)
        scheduler.publishReadSet(txn, recordWords)
        return scheduler.finishExecution(txn, incarnation, wroteNewLocation: wroteNewLocation)
    }

    /// Marks ABSENT the versions of the previous incarnation that this one
    /// did not write again (`written` holds this incarnation's pairs).
    private func removeStaleVersions(previous: WordList, incarnation: UInt32) {
        let written = scratch.pointee.written
        if previous.count * written.count <= 4096 {
            var pair = 0
            while pair < previous.count {
                if !written.containsPairKey(previous[pair]) {
                    MultiVersionMemory.markAbsent(MultiVersionMemory.node(previous[pair + 1]), incarnation: incarnation)
                }
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

    /// The id of `key`, noting keys this worker inserts; nil (after halting
    /// the block) when the key index is full.
    @inline(__always)
    func intern(_ key: StateKey) -> UInt64? {
        guard let (id, inserted) = block.index.intern(key, arena: keys) else {
            scheduler.halt()
            return nil
        }
        if inserted { scratch.pointee.claimed.append(id) }
        return id
    }

    /// Validates and, if invalid, aborts (paper: needs_reexecution).
    private func validateTask(_ txn: UInt32, _ incarnation: UInt32) -> Scheduler.Task {
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
        scratch.pointee.validations += 1
        let memory = block.memory
        guard let record = scheduler.readSet(txn) else { return true }
        let header = record[0]
        guard UInt32(truncatingIfNeeded: header) == incarnation else { return true }
        var entry = record + 1
        let end = entry + 2 * Int(header >> 32)
        while entry < end {
            if entry[1] & ParallelWorker.recordTag != 0 {
                if !revalidate(entry[0], ParallelWorker.recordWords(entry[1]), txn) { return false }
            } else if memory.read(entry[0], by: txn).descriptor != entry[1] {
                return false
            }
            entry += 2
        }
        return true
    }

    /// Materializes the delta versions of `txn`, which just committed, and
    /// puts their values into its output's write-set (same order as its
    /// version nodes).
    func materialize(_ txn: UInt32) {
        let block = self.block
        let record = block.records + Int(txn)
        let pairs = record.pointee.nodes
        var pair = 0
        while pair < pairs.count {
            let id = pairs[pair]
            if let value = block.memory.materialize(MultiVersionMemory.node(pairs[pair + 1]), id: id, base: block.base, arena: values) {
                record.pointee.output!.writeSet[pair / 2].value = value
            }
            pair += 2
        }
    }

    // MARK: End of block

    /// The final value of every key this worker interned, and its share of
    /// the state-root update.
    private func collectDelta() {
        let block = self.block
        let claimed = scratch.pointee.claimed
        for position in 0..<claimed.count {
            let id = claimed[position]
            guard let word = block.memory.finalVersion(id) else { continue }
            let key = KeyTable.key(id)
            // A delta still unmaterialized (its transaction commits in the executor's final sweep) is folded here.
            let value = word & MultiVersionMemory.deltaBit == 0 ? block.memory.values.value(UInt32(truncatingIfNeeded: word))
                : value(of: block.memory.resolve(id, by: .max), key)
            deltaCommitment.update(key, from: block.base.read(key), to: value)
            deltaWrites.append(StateWrite(key: key, value: value))
        }
    }
}
