// The reads of `ParallelWorker` as the `ContextReader` of its execution
// context: a read of the multi-version memory records the version it saw,
// a read under pending deltas records the resolved value, and a read that
// meets an unfinished writer waits for it or suspends on it (`awaitWriter`).

import CParallaxCore

extension ParallelWorker {
    func readThrough(_ key: StateKey) throws(ExecutionError) -> StateValue? {
        guard let id = intern(key) else { throw .suspended }
        let block = self.block
        if let hints = block.hints { try awaitDeclaredWriter(key, hints) }
        let scratch = self.scratch
        let currentTxn = scratch.pointee.currentTxn
        while true {
            let (descriptor, valueID, isDelta) = block.memory.read(id, by: currentTxn)
            if descriptor & MultiVersionMemory.estimateDescriptor != 0 {
                try awaitWriter(UInt32(truncatingIfNeeded: descriptor))
                continue
            }
            if block.contentionHint, currentTxn > 0, shouldWaitForPredecessor(id, descriptor, currentTxn) {
                try awaitWriter(currentTxn - 1)
                continue
            }
            if isDelta {
                // The exact value under pending deltas: a dependency on the whole chain, validated by value.
                let value = try resolveForExecution(id, key)
                recordValue(id, value)
                return value
            }
            scratch.pointee.reads.append(id)
            scratch.pointee.reads.append(descriptor)
            return descriptor == MultiVersionMemory.storageDescriptor ? block.base.read(key) : block.memory.values.value(valueID)
        }
    }

    func checkDelta(_ key: StateKey, _ delta: DeltaOperand, upper: UInt128) throws(ExecutionError) -> Bool {
        guard let id = intern(key) else { throw .suspended }
        if let hints = block.hints { try awaitDeclaredWriter(key, hints) }
        let value = try resolveForExecution(id, key)
        let answer = delta.apply(to: value?.uint128Value ?? 0, upper: upper) != nil
        let words = readSets.allocate(7)
        words[0] = ParallelWorker.checkRecord
        words[1] = UInt64(truncatingIfNeeded: delta.magnitude)
        words[2] = UInt64(truncatingIfNeeded: delta.magnitude >> 64)
        words[3] = delta.negative ? 1 : 0
        words[4] = UInt64(truncatingIfNeeded: upper)
        words[5] = UInt64(truncatingIfNeeded: upper >> 64)
        words[6] = answer ? 1 : 0
        record(id, words)
        return answer
    }

    /// Filled in by `materialize` when the transaction commits.
    func deltaResult(_ key: StateKey, _ delta: DeltaOperand) -> StateValue? { nil }

    /// The value of `id` below the running transaction with deltas folded
    /// in; throws `.suspended` after registering on an ESTIMATE's writer.
    func resolveForExecution(_ id: UInt64, _ key: StateKey) throws(ExecutionError) -> StateValue? {
        let currentTxn = scratch.pointee.currentTxn
        while true {
            let fold = block.memory.resolve(id, by: currentTxn)
            guard let blocker = fold.estimate else { return value(of: fold, key) }
            try awaitWriter(blocker)
        }
    }

    /// The value a fold without ESTIMATE found (reading the base state when it ran off the list).
    @inline(__always)
    func value(of fold: MultiVersionMemory.Fold, _ key: StateKey) -> StateValue? {
        fold.needsBase ? fold.applied(to: block.base.read(key)) : fold.value
    }

    /// Waits until `blocker` (a lower transaction) has executed; returns
    /// when the reader should read again. While a worker is executing the
    /// blocker and `inPlace` is set, this worker polls its status, as Aptos
    /// does: the work this execution has done so far is kept. Otherwise
    /// (the blocker is not running, or the caller prefers it) it suspends
    /// this execution on the blocker, which throws `.suspended` and frees
    /// the worker for other tasks; the blocker's finisher then runs it next
    /// (see `Scheduler.finishExecution`).
    func awaitWriter(_ blocker: UInt32, inPlace: Bool = false) throws(ExecutionError) {
        let scheduler = self.scheduler
        var polls = 0
        while true {
            let state = scheduler.status(of: blocker).state
            if state == Scheduler.executed || state == Scheduler.committed { return }
            if inPlace && state == Scheduler.executing {
                // A tight poll: the blocker's finish is the next step of a chain.
                px_cpu_relax()
                polls &+= 1
                if polls & 1023 == 0 {
                    // A halted block leaves transactions Executing forever.
                    if scheduler.isHalted { throw .suspended }
                    // More workers than cores (tests): let the blocker's worker run.
                    px_thread_yield()
                }
                continue
            }
            if scheduler.addDependency(scratch.pointee.currentTxn, scratch.pointee.currentIncarnation, on: blocker) {
                throw .suspended
            }
            return
        }
    }
}
