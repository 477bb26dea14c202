import CParallaxCore
import ParallaxConcurrency

/// The collaborative scheduler of Block-STM (Gelashvili et al., PPoPP 2023,
/// Algorithms 4 and 5; Aptos' `scheduler.rs` is the reference
/// implementation): every worker asks it for the next task, lowest
/// transaction index first, and reports back when the task is done.
///
/// ## Transaction states
/// Each transaction has a status word `incarnation << 8 | state` in its own
/// cache line of a C `SlotArray`:
///
///                    try_incarnate                finish_execution
///       ┌──────────► Executing(i) ──────────────────────► Executed(i) ──────► Committed(i)
///       │              │    ▲                               │        commit (prefix
///       │   read hits  │    │ dependency already            │        validated,
///       │   ESTIMATE   ▼    │ executed: read again          │        in order)
///       │          Aborting(i) ◄────────────────────────────┘
///       │              │         try_validation_abort (read-set invalid)
///       └── Ready(i+1) ◄┘  set_ready_status: the aborter, or the finishing
///                          transaction that the suspended one waited on
///
/// Ready(0) is the initial state. Executing is exclusive: only the worker
/// that won the Ready → Executing CAS runs the incarnation and writes its
/// records, and every later transition is a CAS or a store by the single
/// owner of the current state, so a transaction's records are handed from
/// incarnation to incarnation through the status word (acquire/release).
///
/// ## Indices and termination
/// `executionIndex` and `validationIndex` only grow by fetch-add and shrink
/// by `decrease…` (a CAS min loop that also bumps `decreaseCount`). A task
/// is active from the fetch-add that produced it until the worker reports
/// it; `activeTasks` counts them. The block is done when both indices are at
/// least the block size, no task is active, and `decreaseCount` did not move
/// during the check (paper, `check_done`).
///
/// ## Dependencies
/// A read that hits an ESTIMATE of transaction j suspends the reader i on j
/// instead of letting it re-execute in a loop: i sets itself Aborting and
/// pushes itself on j's waiter stack (a Treiber stack of transaction
/// indices threaded through their `waiterNext` words, CAS on j's head). When
/// j finishes executing it closes its stack with one exchange and makes each
/// waiter Ready(inc + 1) again, lowering `executionIndex` to the smallest.
/// A push onto a closed stack fails: j has executed meanwhile, so i simply
/// reads again. The aborter of j reopens the stack before it marks j's
/// writes ESTIMATE, so a reader that sees an ESTIMATE finds the stack open
/// or j executed again. Pops only take the whole stack, so there is no ABA.
/// j closes its stack before it becomes Executed (only then may a validator
/// abort it and reopen the stack, which would drop a waiter pushed in
/// between). The finisher runs the lowest waiter itself when it has no
/// validation of its own to do (`finishExecution`).
///
/// ## Commit index
/// `commitIndex` rolls forward over a prefix of transactions whose current
/// incarnation is Executed and whose read-set was validated after every
/// transaction before it had committed (so nothing can invalidate it any
/// more); commit is the CAS Executed(i) → Committed(i), which makes a late
/// abort of the same incarnation fail. One worker at a time advances it
/// (`commitLock`). Committed transactions are skipped by validation.
///
/// ## Memory orders
/// Status words, indices and counters use seq_cst, as the paper's proof
/// assumes one total order over them and over the version words of
/// `MultiVersionMemory` (a validation that starts after an execution
/// finished must see that execution's writes). Stack links are relaxed and
/// published by the release CAS on the stack head, which the closer's
/// acq_rel exchange pairs with.
///
/// ## Invariants (`_checkInvariants(complete:)`, quiescent)
/// - both indices are at least the block size and no task is active;
/// - every transaction is Committed (after the executor's final sweep) and
///   every waiter stack is closed.
struct Scheduler: @unchecked Sendable {
    enum Task: Equatable {
        case none
        case execute(UInt32, UInt32)
        case validate(UInt32, UInt32)
    }

    static let ready: UInt64 = 0
    static let executing: UInt64 = 1
    static let executed: UInt64 = 2
    static let aborting: UInt64 = 3
    static let committed: UInt64 = 4
    static let closed: UInt64 = 1 << 63
    /// New executions start at most this far beyond the commit index. When
    /// one worker stalls (descheduled on a shared machine) the others would
    /// otherwise run ever further ahead of the commit index, and every
    /// uncommitted version they leave on a hot key lengthens the walk of
    /// each later read and delta fold of that key (a quadratic blow-up).
    /// Re-executions of lower transactions are never held back: the
    /// execution index is lowered to them, inside the window.
    static let executionWindow: UInt64 = 64

    // Words of a transaction's line.
    static let statusWord = 0
    static let waitersWord = 1
    static let readSetWord = 2
    static let waiterNextWord = 3
    static let validatedWord = 4

    // Plain pointers and constants: workers copy the scheduler into their own
    // memory, so using it never touches a shared reference count (a retain of
    // a shared object is an atomic write to a line every worker bounces).
    let lineBase: UnsafeMutableRawPointer
    let count: UInt64
    let executionIndex: UnsafeMutablePointer<UInt64>
    let validationIndex: UnsafeMutablePointer<UInt64>
    let decreaseCount: UnsafeMutablePointer<UInt64>
    let activeTasks: UnsafeMutablePointer<UInt64>
    let doneFlag: UnsafeMutablePointer<UInt64>
    let commitIndex: UnsafeMutablePointer<UInt64>
    let commitLock: UnsafeMutablePointer<UInt64>
    let haltFlag: UnsafeMutablePointer<UInt64>
    /// Beside the halt flag: the transaction, plus one, that `resume` found
    /// suspended but not Aborting (0: none).
    let failedWaiterWord: UnsafeMutablePointer<UInt64>
    /// Beside the halt flag: 1 when the halt is a yield (`yieldBlock`), so
    /// the committed prefix stands and the executor hands it back.
    let yieldWord: UnsafeMutablePointer<UInt64>

    /// The scheduler of a block of `count` transactions over `memory`'s lines
    /// (see `SchedulerMemory.reset(count:)`).
    fileprivate init(memory: SchedulerMemory, count: Int) {
        lineBase = memory.lines.base
        self.count = UInt64(count)
        executionIndex = memory.counters.word(0)
        validationIndex = memory.counters.word(1)
        decreaseCount = memory.counters.word(2)
        activeTasks = memory.counters.word(3)
        doneFlag = memory.counters.word(4)
        commitIndex = memory.counters.word(5)
        commitLock = memory.counters.word(6)
        haltFlag = memory.counters.word(7)
        failedWaiterWord = memory.counters.word(7, 1)
        yieldWord = memory.counters.word(7, 2)
    }

    @inline(__always)
    func word(_ txn: UInt32, _ word: Int) -> UnsafeMutablePointer<UInt64> {
        (lineBase + Int(txn) &* 64).assumingMemoryBound(to: UInt64.self) + word
    }

    @inline(__always)
    static func status(_ incarnation: UInt32, _ state: UInt64) -> UInt64 { UInt64(incarnation) << 8 | state }

    @inline(__always)
    func status(of txn: UInt32) -> (incarnation: UInt32, state: UInt64) {
        let value = px_atomic_load(word(txn, Scheduler.statusWord), px_load_seq_cst)
        return (UInt32(truncatingIfNeeded: value >> 8), value & 0xFF)
    }

    /// Whether the current incarnation of `txn` has executed (Executed or Committed).
    @inline(__always)
    func hasExecuted(_ txn: UInt32) -> Bool {
        let state = status(of: txn).state
        return state == Scheduler.executed || state == Scheduler.committed
    }

    var isDone: Bool { px_atomic_load(doneFlag, px_load_acquire) != 0 }

    /// Set when a worker must abandon the block (the key table filled up).
    /// Relaxed on both sides: workers only need to notice it eventually, and
    /// the end of the broadcast orders everything the executor reads next.
    var isHalted: Bool { px_atomic_load(haltFlag, px_load_relaxed) != 0 }
    func halt() { px_atomic_store(haltFlag, 1, px_store_relaxed) }

    /// Halts the block as a yield: the adaptive executor's contention
    /// monitor asks the workers to stop; every transaction committed so far
    /// is final (its output and materialized write-set are in its record),
    /// and the executor hands that prefix back instead of restarting.
    /// Relaxed, as `halt`: the broadcast's end orders both for the executor.
    func yieldBlock() {
        px_atomic_store(yieldWord, 1, px_store_relaxed)
        halt()
    }

    /// Whether the halt was a yield (read after the broadcast).
    var isYielded: Bool { px_atomic_load(yieldWord, px_load_relaxed) != 0 }

    /// The waiter a broken dependency protocol left behind (see `resume`),
    /// read by the executor after the broadcast, whose end orders it.
    var failedWaiter: UInt32? {
        let word = px_atomic_load(failedWaiterWord, px_load_relaxed)
        return word == 0 ? nil : UInt32(word - 1)
    }

    // MARK: Task dispatch (paper Algorithm 4)

    func nextTask() -> Task {
        if px_atomic_load(validationIndex, px_load_seq_cst) < px_atomic_load(executionIndex, px_load_seq_cst) {
            if let (txn, incarnation) = nextVersionToValidate() { return .validate(txn, incarnation) }
        } else {
            if let (txn, incarnation) = nextVersionToExecute() { return .execute(txn, incarnation) }
        }
        return .none
    }

    private func checkDone() {
        let observed = px_atomic_load(decreaseCount, px_load_seq_cst)
        if Swift.min(px_atomic_load(executionIndex, px_load_seq_cst), px_atomic_load(validationIndex, px_load_seq_cst)) >= count,
           px_atomic_load(activeTasks, px_load_seq_cst) == 0,
           observed == px_atomic_load(decreaseCount, px_load_seq_cst) {
            px_atomic_store(doneFlag, 1, px_store_seq_cst)
        }
    }

    @inline(__always) private func taskStarted() { _ = px_atomic_fetch_add(activeTasks, 1, px_rmw_seq_cst) }
    @inline(__always) private func taskEnded() { _ = px_atomic_fetch_add(activeTasks, UInt64.max, px_rmw_seq_cst) }

    private func nextVersionToExecute() -> (UInt32, UInt32)? {
        let next = px_atomic_load(executionIndex, px_load_seq_cst)
        if next >= count {
            checkDone()
            return nil
        }
        // Speculation window (see `executionWindow`).
        if next >= px_atomic_load(commitIndex, px_load_acquire) &+ Scheduler.executionWindow { return nil }
        taskStarted()
        let index = px_atomic_fetch_add(executionIndex, 1, px_rmw_seq_cst)
        if let version = tryIncarnate(index) { return version }
        taskEnded()
        return nil
    }

    private func nextVersionToValidate() -> (UInt32, UInt32)? {
        if px_atomic_load(validationIndex, px_load_seq_cst) >= count {
            checkDone()
            return nil
        }
        taskStarted()
        let index = px_atomic_fetch_add(validationIndex, 1, px_rmw_seq_cst)
        if index < count {
            let (incarnation, state) = status(of: UInt32(index))
            if state == Scheduler.executed { return (UInt32(index), incarnation) }
        }
        taskEnded()
        return nil
    }

    /// Ready(i) → Executing(i); nil (without ending the task) otherwise.
    private func tryIncarnate(_ index: UInt64) -> (UInt32, UInt32)? {
        guard index < count else { return nil }
        let txn = UInt32(index)
        let statusWord = word(txn, Scheduler.statusWord)
        var current = px_atomic_load(statusWord, px_load_seq_cst)
        guard current & 0xFF == Scheduler.ready else { return nil }
        let incarnation = UInt32(truncatingIfNeeded: current >> 8)
        guard px_atomic_cas(statusWord, &current, Scheduler.status(incarnation, Scheduler.executing), px_rmw_seq_cst) else {
            return nil
        }
        return (txn, incarnation)
    }

    private func decrease(_ counter: UnsafeMutablePointer<UInt64>, to target: UInt64) {
        var current = px_atomic_load(counter, px_load_seq_cst)
        while current > target, !px_atomic_cas(counter, &current, target, px_rmw_seq_cst) {}
        _ = px_atomic_fetch_add(decreaseCount, 1, px_rmw_seq_cst)
    }

    // MARK: Reports (paper Algorithm 5)

    /// The incarnation finished executing and its writes are recorded.
    ///
    /// Its waiters become Ready again, except that when this worker has
    /// nothing else to do, it takes the lowest waiter itself: Aborting(i) →
    /// Executing(i + 1) directly (the resumer owns an Aborting status), and
    /// its task continues as that execution. The paper lowers the execution
    /// index to the waiter instead; on a chain of dependencies (a hot key)
    /// that makes every worker walk the index up again over transactions
    /// that are already executing, a fetch-add and two task-count updates
    /// per step, and hands the chain to whichever worker gets there first.
    func finishExecution(_ txn: UInt32, _ incarnation: UInt32, wroteNewLocation: Bool) -> Task {
        // Close the waiter stack before the status says Executed: once it
        // does, a validator may abort the transaction and reopen the stack
        // (storing 0), which would drop a waiter pushed in between. A push
        // that finds the stack closed reads again, and the writes it waits
        // for are already recorded.
        // acq_rel: acquires the waiters' links (their release pushes), closes the stack.
        let waiters = px_atomic_exchange(word(txn, Scheduler.waitersWord), Scheduler.closed, px_rmw_acq_rel)
        px_atomic_store(word(txn, Scheduler.statusWord), Scheduler.status(incarnation, Scheduler.executed), px_store_seq_cst)
        var validateNow = false
        if px_atomic_load(validationIndex, px_load_seq_cst) > UInt64(txn) {
            if wroteNewLocation {
                decrease(validationIndex, to: UInt64(txn))
            } else {
                validateNow = true
            }
        }
        if let (waiter, waiterIncarnation) = resume(waiters, keepingLowest: !validateNow) {
            return .execute(waiter, waiterIncarnation)
        }
        if validateNow { return .validate(txn, incarnation) }
        taskEnded()
        return .none
    }

    /// Makes the transactions of a closed waiter stack Ready again and lowers
    /// the execution index to them; with `keepingLowest`, the lowest one is
    /// instead made Executing for the caller and returned.
    private func resume(_ stack: UInt64, keepingLowest: Bool) -> (UInt32, UInt32)? {
        let top = stack & ~Scheduler.closed
        guard top != 0 else { return nil }
        // Nothing is released during this first walk, so the links are stable.
        var kept = UInt32.max
        if keepingLowest {
            var entry = top
            while entry != 0 {
                kept = Swift.min(kept, UInt32(entry - 1))
                entry = px_atomic_load(word(UInt32(entry - 1), Scheduler.waiterNextWord), px_load_relaxed)
            }
        }
        var entry = top
        var lowest = UInt64.max
        var keptIncarnation: UInt32 = 0
        while entry != 0 {
            let waiter = UInt32(entry - 1)
            // Read the link first: a released waiter may suspend again and reuse it.
            entry = px_atomic_load(word(waiter, Scheduler.waiterNextWord), px_load_relaxed)
            let (incarnation, state) = status(of: waiter)
            guard state == Scheduler.aborting else {
                // A bug in the protocol: halt the block, which the executor
                // then reports (ExecutorFailure) instead of running it again.
                // Relaxed, as the halt flag: the broadcast's end orders both.
                px_atomic_store(failedWaiterWord, UInt64(waiter) + 1, px_store_relaxed)
                halt()
                return nil
            }
            if waiter == kept {
                keptIncarnation = incarnation &+ 1
                px_atomic_store(word(waiter, Scheduler.statusWord), Scheduler.status(keptIncarnation, Scheduler.executing), px_store_seq_cst)
            } else {
                px_atomic_store(word(waiter, Scheduler.statusWord), Scheduler.status(incarnation &+ 1, Scheduler.ready), px_store_seq_cst)
                lowest = Swift.min(lowest, UInt64(waiter))
            }
        }
        if lowest != .max { decrease(executionIndex, to: lowest) }
        return kept == .max ? nil : (kept, keptIncarnation)
    }

    /// Suspends `txn` (Executing(incarnation)) until `blocker` finishes its
    /// next execution. False when `blocker` has already executed: read again.
    func addDependency(_ txn: UInt32, _ incarnation: UInt32, on blocker: UInt32) -> Bool {
        let statusWord = word(txn, Scheduler.statusWord)
        px_atomic_store(statusWord, Scheduler.status(incarnation, Scheduler.aborting), px_store_seq_cst)
        let stack = word(blocker, Scheduler.waitersWord)
        var head = px_atomic_load(stack, px_load_acquire)
        while true {
            if head & Scheduler.closed != 0 {
                px_atomic_store(statusWord, Scheduler.status(incarnation, Scheduler.executing), px_store_seq_cst)
                return false
            }
            px_atomic_store(word(txn, Scheduler.waiterNextWord), head, px_store_relaxed)
            // Release pairs with the closer's acq_rel exchange.
            if px_atomic_cas(stack, &head, UInt64(txn) + 1, px_rmw_release) { break }
        }
        taskEnded()
        return true
    }

    /// Executed(incarnation) → Aborting(incarnation) after a failed
    /// validation; true for the one validator that wins. The winner must
    /// then mark the incarnation's writes ESTIMATE and call `finishValidation`.
    func tryValidationAbort(_ txn: UInt32, _ incarnation: UInt32) -> Bool {
        var expected = Scheduler.status(incarnation, Scheduler.executed)
        guard px_atomic_cas(word(txn, Scheduler.statusWord), &expected,
                            Scheduler.status(incarnation, Scheduler.aborting), px_rmw_seq_cst) else { return false }
        // Reopen the waiter stack before any ESTIMATE of this abort is visible.
        px_atomic_store(word(txn, Scheduler.waitersWord), 0, px_store_seq_cst)
        return true
    }

    func finishValidation(_ txn: UInt32, aborted: Bool) -> Task {
        if aborted {
            let (incarnation, _) = status(of: txn)
            px_atomic_store(word(txn, Scheduler.statusWord), Scheduler.status(incarnation &+ 1, Scheduler.ready), px_store_seq_cst)
            decrease(validationIndex, to: UInt64(txn) + 1)
            if px_atomic_load(executionIndex, px_load_seq_cst) > UInt64(txn), let version = tryIncarnate(UInt64(txn)) {
                return .execute(version.0, version.1)
            }
        }
        taskEnded()
        return .none
    }

    // MARK: Read-sets and commit

    /// Publishes the read-set record of the incarnation about to finish.
    func publishReadSet(_ txn: UInt32, _ record: UnsafeMutablePointer<UInt64>) {
        // Release pairs with the validators' acquire load.
        px_atomic_store(word(txn, Scheduler.readSetWord), UInt64(UInt(bitPattern: record)), px_store_release)
    }

    func readSet(_ txn: UInt32) -> UnsafeMutablePointer<UInt64>? {
        UnsafeMutablePointer(bitPattern: UInt(px_atomic_load(word(txn, Scheduler.readSetWord), px_load_acquire)))
    }

    var committedCount: UInt64 { px_atomic_load(commitIndex, px_load_acquire) }

    /// Notes a successful validation of `incarnation` that started when every
    /// transaction before `txn` had committed.
    func markValidatedAfterPrefix(_ txn: UInt32, _ incarnation: UInt32) {
        px_atomic_store(word(txn, Scheduler.validatedWord), UInt64(incarnation) + 1, px_store_release)
    }

    /// Advances the commit index as far as it can; `validate(txn, incarnation)`
    /// re-validates a transaction whose last validation predates its prefix.
    /// `committed(txn)` runs right after each commit, under the lock and in
    /// block order (it materializes the transaction's deltas).
    /// Returns immediately if another worker is committing.
    @inline(__always)
    func commitPrefix(_ validate: (UInt32, UInt32) -> Bool, committed: (UInt32) -> Void) {
        // Read-only pre-check, so that workers do not bounce the lock's line
        // when there is nothing to commit.
        let next = px_atomic_load(commitIndex, px_load_acquire)
        guard next < count, status(of: UInt32(next)).state == Scheduler.executed else { return }
        while true {
            var unlocked: UInt64 = 0
            // Acquire/release pair between successive holders of the lock.
            guard px_atomic_cas(commitLock, &unlocked, 1, px_rmw_acquire) else { return }
            var index = px_atomic_load(commitIndex, px_load_relaxed)
            var blockedByValidation = false
            while index < count {
                let txn = UInt32(index)
                let (incarnation, state) = status(of: txn)
                guard state == Scheduler.executed else { break }
                if px_atomic_load(word(txn, Scheduler.validatedWord), px_load_acquire) != UInt64(incarnation) + 1,
                   !validate(txn, incarnation) {
                    blockedByValidation = true
                    break
                }
                var expected = Scheduler.status(incarnation, Scheduler.executed)
                guard px_atomic_cas(word(txn, Scheduler.statusWord), &expected,
                                    Scheduler.status(incarnation, Scheduler.committed), px_rmw_seq_cst) else { break }
                committed(txn)
                index += 1
                px_atomic_store(commitIndex, index, px_store_release)
            }
            px_atomic_store(commitLock, 0, px_store_release)
            // Another worker may have finished the blocking transaction while we
            // held the lock and given up on it: look once more.
            if blockedByValidation || index >= count || status(of: UInt32(index)).state != Scheduler.executed { return }
        }
    }

    #if DEBUG
    /// Checks the invariants of the type's documentation. Quiescent only.
    func _checkInvariants(complete: Bool) {
        precondition(px_atomic_load(executionIndex, px_load_seq_cst) >= count, "execution index below the block size")
        precondition(px_atomic_load(validationIndex, px_load_seq_cst) >= count, "validation index below the block size")
        precondition(px_atomic_load(activeTasks, px_load_seq_cst) == 0, "tasks still active")
        for txn in 0..<UInt32(count) {
            let (_, state) = status(of: txn)
            precondition(state == Scheduler.executed || state == Scheduler.committed, "txn \(txn) ended in state \(state)")
            precondition(!complete || state == Scheduler.committed, "txn \(txn) not committed")
            precondition(px_atomic_load(word(txn, Scheduler.waitersWord), px_load_seq_cst) == Scheduler.closed,
                         "txn \(txn) has an open waiter stack")
        }
        if complete { precondition(committedCount == count, "commit index \(committedCount) short of \(count)") }
    }
    #endif
}

/// Owns the scheduler's C memory (one line per transaction, the shared
/// counters on their own line pairs) and hands out a `Scheduler` per block.
final class SchedulerMemory: @unchecked Sendable {
    let node: NodeID?
    fileprivate private(set) var lines: SlotArray
    fileprivate let counters: SlotArray

    init(node: NodeID?) throws(SlotArrayError) {
        self.node = node
        lines = try SlotArray(count: 1, lineSize: .line, node: node)
        counters = try SlotArray(count: 8, lineSize: .linePair, node: node)
    }

    /// A cleared scheduler for a block of `count` transactions (every
    /// transaction Ready(0), indices and counters 0). Call while no worker
    /// runs; the previous block's `Scheduler` is invalid afterwards.
    func reset(count: Int) throws(SlotArrayError) -> Scheduler {
        if lines.count < count {
            lines = try SlotArray(count: Swift.max(count, lines.count * 2), lineSize: .line, node: node)
        }
        let scheduler = Scheduler(memory: self, count: count)
        for index in 0..<count {
            let line = scheduler.word(UInt32(index), 0)
            for offset in 0..<5 { px_atomic_store(line + offset, 0, px_store_relaxed) }
        }
        for counter in 0..<8 { px_atomic_store(counters.word(counter), 0, px_store_relaxed) }
        px_atomic_store(counters.word(7, 1), 0, px_store_relaxed)
        px_atomic_store(counters.word(7, 2), 0, px_store_relaxed)
        // Publishes the reset to the workers, which the team starts after this.
        px_atomic_fence(px_fence_seq_cst)
        return scheduler
    }
}
