import ParallaxConcurrency

/// A transaction as a VM or contract language implements it for Parallax.
///
/// `execute(in:)` runs the contract against the context: it reads, writes
/// and deletes state keys, charges gas and emits events through it. It must
/// be deterministic: a function of the values it reads, never of time,
/// thread or randomness. The executors may run it several times (Block-STM
/// re-executes speculatively); only the last run counts. The context is
/// valid only during the call (executors reuse it for the next transaction).
///
/// Outcomes:
/// - returns normally: success, its writes and events stand;
/// - throws any error: a revert, its writes and events are dropped;
/// - exhausts its gas: out of gas, dropped likewise (`gasUsed == gasLimit`).
///
/// In every outcome the gas is charged, and when `feePayer` is set, the fee
/// `gasUsed * gasPrice` is debited from the payer's balance (an 8-byte
/// little-endian `UInt64`, saturating at zero) as a write of this
/// transaction that survives the revert.
public protocol Transaction: Sendable {
    /// Gas available to this transaction, including `GasSchedule.intrinsic`.
    var gasLimit: UInt64 { get }
    /// Fee per unit of gas.
    var gasPrice: UInt64 { get }
    /// The account whose balance pays the fee, or nil for no fee write.
    var feePayer: StateKey? { get }
    /// The keys this transaction may touch, when known before it runs (see
    /// `DeclaredAccess`); nil (the default): undeclared.
    var declaredAccess: DeclaredAccess? { get }
    /// Where the fee debited from `feePayer` is credited (default nil: the
    /// fee is burned); see `FeeBeneficiary`.
    var feeBeneficiary: FeeBeneficiary? { get }

    func execute(in context: ExecutionContext) throws
}

extension Transaction {
    public var declaredAccess: DeclaredAccess? { nil }
}

/// Gas costs the context charges on its own, before the contract's own
/// `chargeGas` calls.
public enum GasSchedule {
    /// Charged before the contract starts.
    public static let intrinsic: UInt64 = 1_000
    public static let read: UInt64 = 100
    public static let write: UInt64 = 200
    public static let delete: UInt64 = 100
    public static let event: UInt64 = 50
    /// Per byte of a written value or an event's data.
    public static let perByte: UInt64 = 1
}

/// An event (log) a transaction emits; dropped when the transaction reverts.
public struct Event: Hashable, Sendable {
    public var topic: UInt64
    public var data: [UInt8]

    public init(topic: UInt64, data: [UInt8]) {
        self.topic = topic
        self.data = data
    }
}

/// A write in a write-set or state delta: `value == nil` deletes the key.
public struct StateWrite: Hashable, Sendable {
    public var key: StateKey
    public var value: StateValue?

    @inlinable
    public init(key: StateKey, value: StateValue?) {
        self.key = key
        self.value = value
    }
}

public enum TransactionStatus: Hashable, Sendable {
    case success
    /// The contract threw; `reason` is the `String(describing:)` of the error.
    case reverted(reason: String)
    case outOfGas
    /// The contract touched `key` outside its `declaredAccess` while the
    /// executor enforced declarations; dropped like a revert.
    case undeclaredAccess(key: StateKey)
}

/// What one transaction did.
public struct TransactionOutput: Hashable, Sendable {
    public var status: TransactionStatus
    public var gasUsed: UInt64
    /// `gasUsed * gasPrice` (saturating).
    public var fee: UInt64
    /// Empty unless the status is success.
    public var events: [Event]
    /// In the order of first write; on revert or out of gas only the fee write.
    public var writeSet: [StateWrite]

    public init(status: TransactionStatus, gasUsed: UInt64, fee: UInt64, events: [Event], writeSet: [StateWrite]) {
        self.status = status
        self.gasUsed = gasUsed
        self.fee = fee
        self.events = events
        self.writeSet = writeSet
    }
}

/// The merged effect of a block on the state: the last write to each key.
/// Order is unspecified; equality ignores it.
public struct StateDelta: Sendable, Equatable, CustomStringConvertible {
    public var writes: [StateWrite]

    public init(writes: [StateWrite]) { self.writes = writes }

    public var count: Int { writes.count }

    /// The writes sorted by key.
    public var sorted: [StateWrite] { writes.sorted { $0.key < $1.key } }

    public static func == (lhs: StateDelta, rhs: StateDelta) -> Bool {
        lhs.writes.count == rhs.writes.count && lhs.sorted == rhs.sorted
    }

    public var description: String { "StateDelta(\(writes.count) writes)" }
}

/// The result of executing a block.
public struct BlockOutput: Sendable, Equatable {
    /// One output per transaction, in block order.
    public var transactions: [TransactionOutput]
    public var stateDelta: StateDelta
    /// Root of the base state with `stateDelta` applied.
    public var stateRoot: StateRoot

    public init(transactions: [TransactionOutput], stateDelta: StateDelta, stateRoot: StateRoot) {
        self.transactions = transactions
        self.stateDelta = stateDelta
        self.stateRoot = stateRoot
    }
}

/// Work counters of one block execution.
public struct ExecutionStatistics: Sendable, Equatable {
    /// Executions started, including ones suspended on a dependency.
    public var executions: Int = 0
    /// Read-set validations performed (including commit-time ones).
    public var validations: Int = 0
    /// Executions suspended because a read hit an ESTIMATE.
    public var suspensions: Int = 0
    /// Times the block was restarted because the key table filled up.
    public var restarts: Int = 0
    /// Per node of the executor's workers (declared-access executor; empty
    /// for the others): transactions they executed and stole.
    public var nodes: [NodeCounts] = []

    /// What the workers of one NUMA node did in a block.
    public struct NodeCounts: Sendable, Equatable {
        public var node: NodeID?
        public var workers = 0
        /// Transactions its workers executed.
        public var executed = 0
        /// Of those, the ones taken from another node's ready queue.
        public var stolen = 0

        public init(node: NodeID?) { self.node = node }
    }

    public init() {}

    /// Executions beyond one per transaction.
    public func reexecutions(transactions: Int) -> Int { Swift.max(0, executions - transactions) }
}

/// An executor of blocks: `SequentialExecutor` (the oracle) and
/// `ParallelExecutor` give identical outputs.
public protocol BlockExecutor: AnyObject {
    func execute(_ transactions: [any Transaction], on base: any StateView) -> BlockOutput
    /// Counters of the last `execute` call.
    var lastStatistics: ExecutionStatistics { get }
}
