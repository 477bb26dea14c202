/// The state a contract sees while it executes: reads, writes and deletes
/// of state keys, gas metering, events, return data and checkpoints for
/// nested calls (`checkpoint()`, `revert(to:)`, `commit(_:)`).
///
/// One context per worker is reused for every execution it runs, so its
/// buffers keep their capacity across transactions. Reads see the
/// transaction's own earlier writes first, then whatever the executor's
/// reader provides (the block so far for the sequential executor, the
/// multi-version memory for the parallel one).
///
/// Failures are sticky: once the gas is exhausted or the executor has
/// suspended the execution, every further operation throws the same error,
/// and the outcome is decided by the context, not by whether the contract
/// caught the error. A contract cannot turn out-of-gas into success.
public final class ExecutionContext {
    /// The per-transaction state. It lives in a block of its own, owned by
    /// this context, rather than in stored properties: Swift checks every
    /// access to a class's stored `var` at run time (exclusivity), which the
    /// optimizer can drop only where no access could overlap, and releasing
    /// an old value may run arbitrary code; those checks cost a tenth of a
    /// token transfer's execution. A context is used by one thread at a time
    /// and no two accesses here overlap, so the block is reached through a
    /// pointer, unchecked. The block is cache-line aligned and padded, which
    /// keeps other workers' objects off its lines (see `LinePadding`).
    struct State {
        var index = TxnIndex(0)
        var gasLimit: UInt64 = 0
        var gasUsed: UInt64 = 0
        var failure: ExecutionError?
        /// The write buffer, in order of first write; `writeLookup` indexes
        /// it once it outgrows a linear scan.
        var keys: [StateKey] = []
        var values: [StateValue?] = []
        /// Per slot, the transaction's pending delta on the key (nil: the
        /// slot holds a full value or a deletion); see `Delta.swift`.
        var deltas: [DeltaOperand?] = []
        var writeLookup: [StateKey: Int] = [:]
        var events: [Event] = []
        /// Open checkpoints, innermost last, and the undo journal of the
        /// write buffer since the outermost (see `Checkpoint.swift`); both
        /// empty outside nested calls, so the write path pays one branch.
        var checkpoints: [Checkpoint] = []
        var journal: [JournalEntry] = []
        /// Numbers checkpoints across transactions, so a stale one is refused.
        var checkpointSerial: UInt64 = 0
        /// Whether a checkpoint is open (the journal records changes).
        var journaling = false
        /// The running transaction's gas policy.
        var schedule = GasSchedule.builtIn
        /// Set by `reportFailure`: the VM failed the transaction but keeps its writes.
        var reportedFailure: String?
        var returnData: [UInt8] = []
        var enforcing = false
        /// The enforced declaration of the running transaction (nil: none)
        /// and its fee payer, which is always declared.
        var declaration: DeclaredAccess?
        var declaredFeePayer: StateKey?
    }

    let state: UnsafeMutablePointer<State>
    private static let stateBytes = (MemoryLayout<State>.stride + 127) & ~127

    // Strong and never reassigned: no reader holds its context (the executors
    // keep contexts beside their workers), so there is no cycle to break.
    package let reader: any ContextReader

    /// The transaction being executed.
    public var transactionIndex: TxnIndex { state.pointee.index }
    /// The transaction's gas limit, including the schedule's intrinsic gas.
    public var gasLimit: UInt64 { state.pointee.gasLimit }
    /// Gas charged so far (the intrinsic gas included); equals `gasLimit` once the gas ran out.
    public var gasUsed: UInt64 { state.pointee.gasUsed }

    var failure: ExecutionError? {
        get { state.pointee.failure }
        set { state.pointee.failure = newValue }
    }
    var keys: [StateKey] {
        get { state.pointee.keys }
        _modify { yield &state.pointee.keys }
    }
    var values: [StateValue?] {
        get { state.pointee.values }
        _modify { yield &state.pointee.values }
    }
    var deltas: [DeltaOperand?] {
        get { state.pointee.deltas }
        _modify { yield &state.pointee.deltas }
    }
    var writeLookup: [StateKey: Int] {
        get { state.pointee.writeLookup }
        _modify { yield &state.pointee.writeLookup }
    }
    var events: [Event] {
        get { state.pointee.events }
        _modify { yield &state.pointee.events }
    }
    var schedule: GasSchedule {
        get { state.pointee.schedule }
        set { state.pointee.schedule = newValue }
    }
    private var reportedFailure: String? {
        get { state.pointee.reportedFailure }
        set { state.pointee.reportedFailure = newValue }
    }
    private var returnData: [UInt8] {
        get { state.pointee.returnData }
        _modify { yield &state.pointee.returnData }
    }
    var enforcing: Bool {
        get { state.pointee.enforcing }
        set { state.pointee.enforcing = newValue }
    }
    var declaration: DeclaredAccess? {
        get { state.pointee.declaration }
        set { state.pointee.declaration = newValue }
    }
    var declaredFeePayer: StateKey? {
        get { state.pointee.declaredFeePayer }
        set { state.pointee.declaredFeePayer = newValue }
    }

    /// The write buffer as the executors read it after `run`.
    package var writeKeys: [StateKey] { keys }
    package var writeValues: [StateValue?] { values }
    package var writeDeltas: [DeltaOperand?] { deltas }
    /// Whether `run` enforces each transaction's `declaredAccess`.
    package var enforcesDeclarations: Bool {
        get { enforcing }
        set { enforcing = newValue }
    }

    package static let linearScanLimit = 8

    package init(reader: any ContextReader) {
        self.reader = reader
        state = UnsafeMutableRawPointer.allocate(byteCount: Self.stateBytes, alignment: 128)
            .bindMemory(to: State.self, capacity: 1)
        state.initialize(to: State())
    }

    deinit {
        state.deinitialize(count: 1)
        state.deallocate()
    }

    /// Gas left to charge.
    public var gasRemaining: UInt64 { gasLimit - gasUsed }

    // MARK: Contract API

    /// The value of `key` as this transaction sees it (nil: absent).
    public func read(_ key: StateKey) throws(ExecutionError) -> StateValue? {
        try requireDeclared(key, write: false)
        try chargeGas(schedule.read)
        return try currentValue(key)
    }

    /// The value of `key` as this transaction sees it, unmetered: its own
    /// write first, else through the reader (the contract's `read`, the fee
    /// debit and credits, a `FeeLedger`).
    package func currentValue(_ key: StateKey) throws(ExecutionError) -> StateValue? {
        if let slot = ownWrite(key) { return try ownValue(slot, key) }
        return try readThrough(key)
    }

    /// The transaction's own value of a written key (a pending delta is
    /// applied to the exact value below it, a real dependency).
    package func ownValue(_ slot: Int, _ key: StateKey) throws(ExecutionError) -> StateValue? {
        guard let delta = deltas[slot] else { return values[slot] }
        return reader.applyOwn(delta, to: try readThrough(key))
    }

    /// Sets `key` to `value` for this transaction (read back by its later reads), charging the schedule's write gas plus its per-byte gas; throws when the gas runs out or `key` is not declared for writing while declarations are enforced.
    public func write(_ key: StateKey, _ value: StateValue) throws(ExecutionError) {
        try requireDeclared(key, write: true)
        try chargeGas(schedule.write &+ schedule.perByte &* UInt64(value.count))
        put(key, value)
    }

    /// Deletes `key` for this transaction, charging the schedule's delete gas; throws as `write` does.
    public func delete(_ key: StateKey) throws(ExecutionError) {
        try requireDeclared(key, write: true)
        try chargeGas(schedule.delete)
        put(key, nil)
    }

    /// Appends `event` to the transaction's events, charging the schedule's event gas plus its per-byte gas for the data. Events stand only if the transaction succeeds.
    public func emit(_ event: Event) throws(ExecutionError) {
        try chargeGas(schedule.event &+ schedule.perByte &* UInt64(event.data.count))
        events.append(event)
    }

    /// Ends the transaction as `TransactionStatus.failed(reason:)` when the
    /// contract returns: its writes stand, its events are dropped. For a VM
    /// that keeps its own charges on failure (the EVM after a revert or an
    /// exceptional halt writes only the nonce and the gas payment).
    public func reportFailure(_ reason: String) {
        reportedFailure = reason
    }

    /// What the transaction returns (`TransactionOutput.returnData`).
    public func setReturnData(_ data: [UInt8]) {
        returnData = data
    }

    /// Charges `amount` gas; throws `.outOfGas` (and uses up the limit) when
    /// less than `amount` remains.
    public func chargeGas(_ amount: UInt64) throws(ExecutionError) {
        if let failure { throw failure }
        guard amount <= gasLimit - gasUsed else {
            state.pointee.gasUsed = gasLimit
            failure = .outOfGas
            throw .outOfGas
        }
        state.pointee.gasUsed += amount
    }

    /// Fails the transaction if declarations are enforced and `key` is
    /// outside its declaration for this kind of access (deltas: `add` and
    /// `subtract` write, `canAdd`/`canSubtract` read).
    @inline(__always)
    package func requireDeclared(_ key: StateKey, write: Bool) throws(ExecutionError) {
        guard let declaration, key != declaredFeePayer else { return }
        if write ? !declaration.allowsWrite(key) : !declaration.allowsRead(key) { try failUndeclared(key) }
    }

    /// An access outside the declaration: a sticky failure like out of gas
    /// (an earlier sticky failure wins), so every executor decides it alike.
    package func failUndeclared(_ key: StateKey) throws(ExecutionError) {
        if let failure { throw failure }
        failure = .undeclaredAccess(key)
        throw .undeclaredAccess(key)
    }

    // MARK: Executor side

    package func readThrough(_ key: StateKey) throws(ExecutionError) -> StateValue? {
        do {
            return try reader.readThrough(key)
        } catch {
            failure = error
            throw error
        }
    }

    package func ownWrite(_ key: StateKey) -> Int? {
        if keys.count <= ExecutionContext.linearScanLimit {
            for slot in keys.indices where keys[slot] == key { return slot }
            return nil
        }
        return writeLookup[key]
    }

    package func put(_ key: StateKey, _ value: StateValue?) {
        if let slot = ownWrite(key) {
            putValue(slot, value)
            return
        }
        append(key, value, nil)
    }

    package func putValue(_ slot: Int, _ value: StateValue?) {
        if state.pointee.journaling { journalSlot(slot) }
        values[slot] = value
        deltas[slot] = nil
    }

    package func putDelta(_ key: StateKey, _ slot: Int?, _ delta: DeltaOperand) {
        if let slot {
            if state.pointee.journaling { journalSlot(slot) }
            deltas[slot] = delta
        } else {
            append(key, nil, delta)
        }
    }

    private func append(_ key: StateKey, _ value: StateValue?, _ delta: DeltaOperand?) {
        if state.pointee.journaling { state.pointee.journal.append(.appended) }
        keys.append(key)
        values.append(value)
        deltas.append(delta)
        if keys.count == ExecutionContext.linearScanLimit + 1 {
            for slot in keys.indices { writeLookup[keys[slot]] = slot }
        } else if keys.count > ExecutionContext.linearScanLimit + 1 {
            writeLookup[key] = keys.count - 1
        }
    }

    /// Drops the transaction's writes and events (a revert, a rejection, a
    /// failed settlement).
    private func dropEffects() {
        clearWrites()
        events.removeAll(keepingCapacity: true)
    }

    package func clearWrites() {
        keys.removeAll(keepingCapacity: true)
        values.removeAll(keepingCapacity: true)
        deltas.removeAll(keepingCapacity: true)
        if !writeLookup.isEmpty { writeLookup.removeAll(keepingCapacity: true) }
    }

    /// The outcome of one execution attempt.
    package enum Attempt {
        case finished(TransactionOutput)
        /// The reader suspended the execution on a dependency: discard it.
        case suspended
    }

    /// Runs `transaction` as transaction `index`: the nonce rule, intrinsic
    /// gas, the contract, the outcome rules of `Transaction`, the nonce bump
    /// and the fee write. Afterwards the write buffer holds the final write-set.
    package func run(_ transaction: any Transaction, at index: TxnIndex) -> Attempt {
        state.pointee.index = index
        state.pointee.gasLimit = transaction.gasLimit
        state.pointee.gasUsed = 0
        failure = nil
        clearWrites()
        // The last output shares the buffer: keeping its capacity would copy it.
        if !events.isEmpty { events = [] }
        let senderNonce = transaction.senderNonce
        if let senderNonce {
            // Before any gas is charged, so that no gas limit skips the check
            // (see `SenderNonce`); through the reader, so Block-STM validates it.
            let stored: StateValue?
            do { stored = try readThrough(senderNonce.key) } catch { return .suspended }
            if let rejection = senderNonce.rejection(stored: stored) {
                return .finished(TransactionOutput(status: .rejected(rejection.rejectionReason), gasUsed: 0, fee: 0,
                                                   events: [], writeSet: []))
            }
        }
        declaration = enforcing ? transaction.declaredAccess : nil
        let policy = transaction.feePolicy
        declaredFeePayer = policy.implicitlyDeclaredKey
        schedule = transaction.gasSchedule
        reportedFailure = nil
        if !returnData.isEmpty { returnData = [] }

        var status = TransactionStatus.success
        do {
            try chargeGas(schedule.intrinsic)
            try transaction.execute(in: self)
        } catch let error as ExecutionError where error == failure {
            // Our own sticky failure, decided below.
        } catch let rejection as TransactionRejection {
            if failure == nil { status = .rejected(rejection.rejectionReason) }
        } catch {
            if failure == nil { status = .reverted(reason: String(describing: error)) }
        }
        // Checkpoints the contract left open keep their writes.
        closeCheckpoints()
        switch failure {
        case .suspended?: return .suspended
        case .outOfGas?: status = .outOfGas
        case .undeclaredAccess(let key)?: status = .undeclaredAccess(key: key)
        case nil: break
        }
        if case .rejected = status {
            dropEffects()
            return .finished(TransactionOutput(status: status, gasUsed: 0, fee: 0, events: [], writeSet: []))
        }
        if status == .success, let reportedFailure {
            status = .failed(reason: reportedFailure)
            events.removeAll(keepingCapacity: true)
        } else if status != .success {
            dropEffects()
        }
        // Included whatever the outcome, so the nonce is spent even when the
        // contract's own writes were dropped.
        if let senderNonce { put(senderNonce.key, senderNonce.bumped) }
        failure = nil
        let fee: UInt64
        do throws(ExecutionError) {
            fee = try settle(policy, status: status)
        } catch {
            switch error {
            case .suspended: return .suspended
            // A custom settlement that left its declared keys, or gave up
            // with out of gas: dropped like the contract's own failure, and
            // no fee (its writes are gone with the rest).
            case .undeclaredAccess(let key): status = .undeclaredAccess(key: key)
            case .outOfGas: status = .outOfGas
            }
            dropEffects()
            if let senderNonce { put(senderNonce.key, senderNonce.bumped) }
            fee = 0
        }
        var writeSet: [StateWrite] = []
        writeSet.reserveCapacity(keys.count)
        for slot in keys.indices {
            let value = deltas[slot].map { reader.deltaResult(keys[slot], $0) } ?? values[slot]
            writeSet.append(StateWrite(key: keys[slot], value: value))
        }
        return .finished(TransactionOutput(status: status, gasUsed: gasUsed, fee: fee, events: events, writeSet: writeSet,
                                           returnData: status == .success || reportedFailure != nil ? returnData : []))
    }
}

/// Why a context operation failed.
public enum ExecutionError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The transaction's gas is exhausted.
    case outOfGas
    /// The executor suspended this execution (it read a value that an
    /// earlier transaction is about to rewrite) and will run it again. The
    /// contract should let it propagate; catching it changes nothing.
    case suspended
    /// The contract touched `key` outside its declared access (see
    /// `DeclaredAccess`).
    case undeclaredAccess(StateKey)

    public var description: String {
        switch self {
        case .outOfGas: "out of gas"
        case .undeclaredAccess(let key): "undeclared access to key \(key)"
        case .suspended: "execution suspended on a dependency"
        }
    }
}

/// Where a context reads keys the transaction has not written itself.
package protocol ContextReader: AnyObject {
    func readThrough(_ key: StateKey) throws(ExecutionError) -> StateValue?
    /// Whether `delta` applied to the value of `key` below this transaction
    /// lies in `0...upper` (recorded as a check, not as a read of the value).
    func checkDelta(_ key: StateKey, _ delta: DeltaOperand, upper: UInt128) throws(ExecutionError) -> Bool
    /// The value a pending delta leaves in the write-set of the output
    /// (the parallel executor fills it in when the transaction commits).
    func deltaResult(_ key: StateKey, _ delta: DeltaOperand) -> StateValue?
}
