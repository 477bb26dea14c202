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
/// - returns normally after `ExecutionContext.reportFailure`: failed, its
///   writes stand (a VM that keeps its own charges, such as the EVM's nonce
///   and gas payment after a revert, writes only those), its events are dropped;
/// - throws a `TransactionRejection`: rejected, not included: no writes, no
///   gas, no fee (an invalid transaction for the state it met);
/// - throws any other error: a revert, its writes and events are dropped;
/// - exhausts its gas: out of gas, dropped likewise (`gasUsed == gasLimit`).
///
/// Gas and fees are the transaction's policy: `gasSchedule` says what the
/// context charges on its own for each access (`GasSchedule.builtIn` for
/// the built-in contracts, `GasSchedule.free` for a VM that meters itself
/// and charges its total through `chargeGas`), and when `feePayer` is set,
/// the fee `gasUsed * gasPrice` is debited from the payer's balance (an
/// 8-byte little-endian `UInt64`, saturating at zero) as a write of this
/// transaction that survives the revert. A VM with its own fee rules (the
/// EVM: 256-bit balances, up-front debit, refunds) leaves `feePayer` nil
/// and writes its charges itself.
///
/// Replay protection is a policy too: when `senderNonce` is set, the context
/// checks it before anything runs and rejects a nonce that is not the
/// sender's next one (`NonceRejection`), and an included transaction
/// advances it whatever its outcome (`SenderNonce` has the rule).
public protocol Transaction: Sendable {
    /// Gas available to this transaction, including the schedule's intrinsic gas.
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
    /// What the context charges on its own (default `GasSchedule.builtIn`).
    var gasSchedule: GasSchedule { get }
    /// The sender's nonce slot and the nonce this transaction carries, checked
    /// and advanced by the context (see `SenderNonce`); nil (the default):
    /// no nonce rule.
    var senderNonce: SenderNonce? { get }

    func execute(in context: ExecutionContext) throws
}

extension Transaction {
    public var declaredAccess: DeclaredAccess? { nil }
    public var gasSchedule: GasSchedule { .builtIn }
    public var senderNonce: SenderNonce? { nil }
}

/// Gas costs the context charges on its own, before the contract's own
/// `chargeGas` calls: one transaction's gas policy.
public struct GasSchedule: Hashable, Sendable {
    /// Charged before the contract starts.
    public var intrinsic: UInt64
    public var read: UInt64
    public var write: UInt64
    public var delete: UInt64
    public var event: UInt64
    /// Per byte of a written value or an event's data.
    public var perByte: UInt64

    public init(intrinsic: UInt64, read: UInt64, write: UInt64, delete: UInt64, event: UInt64, perByte: UInt64) {
        self.intrinsic = intrinsic
        self.read = read
        self.write = write
        self.delete = delete
        self.event = event
        self.perByte = perByte
    }

    /// The built-in contracts' model.
    public static let builtIn = GasSchedule(intrinsic: 1_000, read: 100, write: 200, delete: 100, event: 50, perByte: 1)
    /// Nothing charged by the context: the VM meters itself (`chargeGas`).
    public static let free = GasSchedule(intrinsic: 0, read: 0, write: 0, delete: 0, event: 0, perByte: 0)
}

/// A 32-byte word of an event (its emitter and topics), four big-endian
/// 64-bit words like `StateKey`.
@frozen
public struct EventWord: Hashable, Sendable, CustomStringConvertible {
    public var w0: UInt64, w1: UInt64, w2: UInt64, w3: UInt64

    @inlinable
    public init(_ w0: UInt64, _ w1: UInt64, _ w2: UInt64, _ w3: UInt64) {
        self.w0 = w0; self.w1 = w1; self.w2 = w2; self.w3 = w3
    }

    /// A number as a word (in the low eight bytes).
    @inlinable
    public init(_ value: UInt64) { self.init(0, 0, 0, value) }

    public static let zero = EventWord(0, 0, 0, 0)

    public var description: String { hexString(words: [w0, w1, w2, w3]) }
}

/// An event (log) a transaction emits; dropped unless the transaction succeeds.
public struct Event: Hashable, Sendable {
    /// Who emitted it: an EVM contract's address; zero for the built-in contracts.
    public var emitter: EventWord
    /// At most four topics (the EVM's `LOG0`...`LOG4`).
    public var topics: [EventWord]
    public var data: [UInt8]

    public init(emitter: EventWord = .zero, topics: [EventWord], data: [UInt8]) {
        self.emitter = emitter
        self.topics = topics
        self.data = data
    }

    /// The built-in contracts' event: one numeric topic.
    public init(topic: UInt64, data: [UInt8]) {
        self.init(topics: [EventWord(topic)], data: data)
    }
}

/// Why a transaction was rejected: a stable machine-readable code
/// (`nonce-too-low`, `insufficient-funds`) and the details in words.
public struct RejectionReason: Hashable, Sendable, CustomStringConvertible {
    public var code: String
    public var detail: String

    public init(code: String, detail: String) {
        self.code = code
        self.detail = detail
    }

    public var description: String { "\(code): \(detail)" }
}

/// An error that rejects the transaction instead of reverting it: thrown
/// from `execute(in:)`, it leaves the state exactly as it was (no writes, no
/// gas, no fee), and the output says why (`TransactionStatus.rejected`).
public protocol TransactionRejection: Error {
    var rejectionReason: RejectionReason { get }
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
    /// The VM reported a failure (`ExecutionContext.reportFailure`) and kept
    /// its own charges: the write-set holds what the VM wrote, no events.
    case failed(reason: String)
    /// Not included: invalid for the state it met (`TransactionRejection`);
    /// no writes, no gas, no fee.
    case rejected(RejectionReason)

    /// Whether the transaction is part of the block's result (everything
    /// but a rejection).
    public var isIncluded: Bool {
        if case .rejected = self { return false }
        return true
    }
}

/// What one transaction did.
public struct TransactionOutput: Hashable, Sendable {
    public var status: TransactionStatus
    public var gasUsed: UInt64
    /// `gasUsed * gasPrice` (saturating).
    public var fee: UInt64
    /// Empty unless the status is success.
    public var events: [Event]
    /// In the order of first write; on revert or out of gas only the fee
    /// write; empty when rejected.
    public var writeSet: [StateWrite]
    /// What the transaction returned (`ExecutionContext.setReturnData`).
    public var returnData: [UInt8]

    public init(status: TransactionStatus, gasUsed: UInt64, fee: UInt64, events: [Event], writeSet: [StateWrite],
                returnData: [UInt8] = []) {
        self.status = status
        self.gasUsed = gasUsed
        self.fee = fee
        self.events = events
        self.writeSet = writeSet
        self.returnData = returnData
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
