/// The state a contract sees while it executes: reads, writes and deletes
/// of state keys, gas metering and events.
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
    /// The transaction being executed.
    public private(set) var transactionIndex = TxnIndex(0)
    public private(set) var gasLimit: UInt64 = 0
    public private(set) var gasUsed: UInt64 = 0

    // Strong and never reassigned: no reader holds its context (the executors
    // keep contexts beside their workers), so there is no cycle to break.
    package let reader: any ContextReader
    package var failure: ExecutionError?
    /// The write buffer, in order of first write; `writeLookup` indexes it
    /// once it outgrows a linear scan.
    package private(set) var writeKeys: [StateKey] = []
    package private(set) var writeValues: [StateValue?] = []
    /// Per slot, the transaction's pending delta on the key (nil: the slot
    /// holds a full value or a deletion); see `Delta.swift`.
    package private(set) var writeDeltas: [DeltaOperand?] = []
    package var writeLookup: [StateKey: Int] = [:]
    package var events: [Event] = []
    /// The running transaction's gas policy.
    package private(set) var schedule = GasSchedule.builtIn
    /// Set by `reportFailure`: the VM failed the transaction but keeps its writes.
    private var reportedFailure: String?
    private var returnData: [UInt8] = []
    /// Whether `run` enforces each transaction's `declaredAccess`.
    package var enforcesDeclarations = false
    /// The enforced declaration of the running transaction (nil: none) and
    /// its fee payer, which is always declared.
    package private(set) var declaration: DeclaredAccess?
    package private(set) var declaredFeePayer: StateKey?
    /// Keeps other workers' objects off this one's lines (see `LinePadding`).
    private let padding = LinePadding()

    package static let linearScanLimit = 8

    package init(reader: any ContextReader) {
        self.reader = reader
    }

    public var gasRemaining: UInt64 { gasLimit - gasUsed }

    // MARK: Contract API

    /// The value of `key` as this transaction sees it (nil: absent).
    public func read(_ key: StateKey) throws(ExecutionError) -> StateValue? {
        try requireDeclared(key, write: false)
        try chargeGas(schedule.read)
        if let slot = ownWrite(key) { return try ownValue(slot, key) }
        return try readThrough(key)
    }

    /// The transaction's own value of a written key (a pending delta is
    /// applied to the exact value below it, a real dependency).
    package func ownValue(_ slot: Int, _ key: StateKey) throws(ExecutionError) -> StateValue? {
        guard let delta = writeDeltas[slot] else { return writeValues[slot] }
        return reader.applyOwn(delta, to: try readThrough(key))
    }

    public func write(_ key: StateKey, _ value: StateValue) throws(ExecutionError) {
        try requireDeclared(key, write: true)
        try chargeGas(schedule.write &+ schedule.perByte &* UInt64(value.count))
        put(key, value)
    }

    public func delete(_ key: StateKey) throws(ExecutionError) {
        try requireDeclared(key, write: true)
        try chargeGas(schedule.delete)
        put(key, nil)
    }

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
            gasUsed = gasLimit
            failure = .outOfGas
            throw .outOfGas
        }
        gasUsed += amount
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
    private func failUndeclared(_ key: StateKey) throws(ExecutionError) {
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
        if writeKeys.count <= ExecutionContext.linearScanLimit {
            for slot in writeKeys.indices where writeKeys[slot] == key { return slot }
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
        writeValues[slot] = value
        writeDeltas[slot] = nil
    }

    package func putDelta(_ key: StateKey, _ slot: Int?, _ delta: DeltaOperand) {
        if let slot {
            writeDeltas[slot] = delta
        } else {
            append(key, nil, delta)
        }
    }

    private func append(_ key: StateKey, _ value: StateValue?, _ delta: DeltaOperand?) {
        writeKeys.append(key)
        writeValues.append(value)
        writeDeltas.append(delta)
        if writeKeys.count == ExecutionContext.linearScanLimit + 1 {
            for slot in writeKeys.indices { writeLookup[writeKeys[slot]] = slot }
        } else if writeKeys.count > ExecutionContext.linearScanLimit + 1 {
            writeLookup[key] = writeKeys.count - 1
        }
    }

    package func clearWrites() {
        writeKeys.removeAll(keepingCapacity: true)
        writeValues.removeAll(keepingCapacity: true)
        writeDeltas.removeAll(keepingCapacity: true)
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
        transactionIndex = index
        gasLimit = transaction.gasLimit
        gasUsed = 0
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
        declaration = enforcesDeclarations ? transaction.declaredAccess : nil
        declaredFeePayer = transaction.feePayer
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
        switch failure {
        case .suspended?: return .suspended
        case .outOfGas?: status = .outOfGas
        case .undeclaredAccess(let key)?: status = .undeclaredAccess(key: key)
        case nil: break
        }
        if case .rejected = status {
            clearWrites()
            events.removeAll(keepingCapacity: true)
            return .finished(TransactionOutput(status: status, gasUsed: 0, fee: 0, events: [], writeSet: []))
        }
        if status == .success, let reportedFailure {
            status = .failed(reason: reportedFailure)
            events.removeAll(keepingCapacity: true)
        } else if status != .success {
            clearWrites()
            events.removeAll(keepingCapacity: true)
        }
        // Included whatever the outcome, so the nonce is spent even when the
        // contract's own writes were dropped.
        if let senderNonce { put(senderNonce.key, senderNonce.bumped) }
        let fee = gasUsed.multipliedReportingOverflow(by: transaction.gasPrice)
        let feeAmount = fee.overflow ? UInt64.max : fee.partialValue
        if let payer = transaction.feePayer {
            failure = nil
            let balance: StateValue?
            do {
                if let slot = ownWrite(payer) { balance = try ownValue(slot, payer) } else { balance = try readThrough(payer) }
            } catch { return .suspended }
            let current = balance?.uint64Value ?? 0
            let debited = Swift.min(current, feeAmount)
            put(payer, StateValue(uint64: current - debited))
            if let beneficiary = transaction.feeBeneficiary, debited > 0 {
                do { try creditFee(debited, to: beneficiary) } catch { return .suspended }
            }
        }
        var writeSet: [StateWrite] = []
        writeSet.reserveCapacity(writeKeys.count)
        for slot in writeKeys.indices {
            let value = writeDeltas[slot].map { reader.deltaResult(writeKeys[slot], $0) } ?? writeValues[slot]
            writeSet.append(StateWrite(key: writeKeys[slot], value: value))
        }
        return .finished(TransactionOutput(status: status, gasUsed: gasUsed, fee: feeAmount, events: events, writeSet: writeSet,
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
