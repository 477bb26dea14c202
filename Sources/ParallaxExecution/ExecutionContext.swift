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

    // Unowned: the reader owns the context (parallel worker) or outlives it (sequential).
    unowned(unsafe) let reader: any ContextReader
    var failure: ExecutionError?
    /// The write buffer, in order of first write; `writeLookup` indexes it
    /// once it outgrows a linear scan.
    private(set) var writeKeys: [StateKey] = []
    private(set) var writeValues: [StateValue?] = []
    var writeLookup: [StateKey: Int] = [:]
    var events: [Event] = []
    /// Whether `run` enforces each transaction's `declaredAccess`.
    var enforcesDeclarations = false
    /// The enforced declaration of the running transaction (nil: none) and
    /// its fee payer, which is always declared.
    private(set) var declaration: DeclaredAccess?
    private var declaredFeePayer: StateKey?
    /// Keeps other workers' objects off this one's lines (see `LinePadding`).
    private let padding = LinePadding()

    static let linearScanLimit = 8

    init(reader: any ContextReader) {
        self.reader = reader
    }

    public var gasRemaining: UInt64 { gasLimit - gasUsed }

    // MARK: Contract API

    /// The value of `key` as this transaction sees it (nil: absent).
    public func read(_ key: StateKey) throws(ExecutionError) -> StateValue? {
        if let declaration, !declaration.allowsRead(key), key != declaredFeePayer { try failUndeclared(key) }
        try chargeGas(GasSchedule.read)
        if let slot = ownWrite(key) { return writeValues[slot] }
        return try readThrough(key)
    }

    public func write(_ key: StateKey, _ value: StateValue) throws(ExecutionError) {
        if let declaration, !declaration.allowsWrite(key), key != declaredFeePayer { try failUndeclared(key) }
        try chargeGas(GasSchedule.write &+ GasSchedule.perByte &* UInt64(value.count))
        put(key, value)
    }

    public func delete(_ key: StateKey) throws(ExecutionError) {
        if let declaration, !declaration.allowsWrite(key), key != declaredFeePayer { try failUndeclared(key) }
        try chargeGas(GasSchedule.delete)
        put(key, nil)
    }

    public func emit(_ event: Event) throws(ExecutionError) {
        try chargeGas(GasSchedule.event &+ GasSchedule.perByte &* UInt64(event.data.count))
        events.append(event)
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

    /// An access outside the declaration: a sticky failure like out of gas
    /// (an earlier sticky failure wins), so every executor decides it alike.
    private func failUndeclared(_ key: StateKey) throws(ExecutionError) {
        if let failure { throw failure }
        failure = .undeclaredAccess(key)
        throw .undeclaredAccess(key)
    }

    // MARK: Executor side

    func readThrough(_ key: StateKey) throws(ExecutionError) -> StateValue? {
        do {
            return try reader.readThrough(key)
        } catch {
            failure = error
            throw error
        }
    }

    func ownWrite(_ key: StateKey) -> Int? {
        if writeKeys.count <= ExecutionContext.linearScanLimit {
            for slot in writeKeys.indices where writeKeys[slot] == key { return slot }
            return nil
        }
        return writeLookup[key]
    }

    func put(_ key: StateKey, _ value: StateValue?) {
        if let slot = ownWrite(key) {
            writeValues[slot] = value
            return
        }
        writeKeys.append(key)
        writeValues.append(value)
        if writeKeys.count == ExecutionContext.linearScanLimit + 1 {
            for slot in writeKeys.indices { writeLookup[writeKeys[slot]] = slot }
        } else if writeKeys.count > ExecutionContext.linearScanLimit + 1 {
            writeLookup[key] = writeKeys.count - 1
        }
    }

    func clearWrites() {
        writeKeys.removeAll(keepingCapacity: true)
        writeValues.removeAll(keepingCapacity: true)
        if !writeLookup.isEmpty { writeLookup.removeAll(keepingCapacity: true) }
    }

    /// The outcome of one execution attempt.
    enum Attempt {
        case finished(TransactionOutput)
        /// The reader suspended the execution on a dependency: discard it.
        case suspended
    }

    /// Runs `transaction` as transaction `index`: intrinsic gas, the
    /// contract, the outcome rules of `Transaction`, and the fee write.
    /// Afterwards the write buffer holds the final write-set.
    func run(_ transaction: any Transaction, at index: TxnIndex) -> Attempt {
        transactionIndex = index
        gasLimit = transaction.gasLimit
        gasUsed = 0
        failure = nil
        clearWrites()
        events.removeAll(keepingCapacity: true)
        declaration = enforcesDeclarations ? transaction.declaredAccess : nil
        declaredFeePayer = transaction.feePayer

        var status = TransactionStatus.success
        do {
            try chargeGas(GasSchedule.intrinsic)
            try transaction.execute(in: self)
        } catch let error as ExecutionError where error == failure {
            // Our own sticky failure, decided below.
        } catch {
            if failure == nil { status = .reverted(reason: String(describing: error)) }
        }
        switch failure {
        case .suspended?: return .suspended
        case .outOfGas?: status = .outOfGas
        case .undeclaredAccess(let key)?: status = .undeclaredAccess(key: key)
        case nil: break
        }
        if status != .success {
            clearWrites()
            events.removeAll(keepingCapacity: true)
        }
        let fee = gasUsed.multipliedReportingOverflow(by: transaction.gasPrice)
        let feeAmount = fee.overflow ? UInt64.max : fee.partialValue
        if let payer = transaction.feePayer {
            failure = nil
            let balance: StateValue?
            if let slot = ownWrite(payer) {
                balance = writeValues[slot]
            } else {
                do { balance = try readThrough(payer) } catch { return .suspended }
            }
            let current = balance?.uint64Value ?? 0
            put(payer, StateValue(uint64: current >= feeAmount ? current - feeAmount : 0))
        }
        var writeSet: [StateWrite] = []
        writeSet.reserveCapacity(writeKeys.count)
        for slot in writeKeys.indices { writeSet.append(StateWrite(key: writeKeys[slot], value: writeValues[slot])) }
        return .finished(TransactionOutput(status: status, gasUsed: gasUsed, fee: feeAmount, events: events, writeSet: writeSet))
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
protocol ContextReader: AnyObject {
    func readThrough(_ key: StateKey) throws(ExecutionError) -> StateValue?
}
