import ParallaxConcurrency

/// The merged effect of a block on the state: the last write to each key.
/// Order is unspecified; equality ignores it.
public struct StateDelta: Sendable, Equatable, CustomStringConvertible {
    /// One write per key the block changed, its final value (`nil`: deleted).
    public var writes: [StateWrite]

    /// A delta of `writes`, one per key.
    public init(writes: [StateWrite]) { self.writes = writes }

    /// The number of keys written.
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
    /// The block's writes, one per key: what a store commits.
    public var stateDelta: StateDelta
    /// Root of the base state with `stateDelta` applied.
    public var stateRoot: StateRoot

    /// An output as given (an executor builds it; tests compare them).
    public init(transactions: [TransactionOutput], stateDelta: StateDelta, stateRoot: StateRoot) {
        self.transactions = transactions
        self.stateDelta = stateDelta
        self.stateRoot = stateRoot
    }

    /// The output of a block whose final value of every key it wrote is
    /// `finalWrites` (one per key) over `base`: that is the state delta, and
    /// the root is `base`'s commitment updated by it (how the in-order
    /// executors assemble a block).
    init(transactions: [TransactionOutput], finalWrites: some Collection<StateWrite>, over base: any StateView) {
        var commitment = base.commitment
        var writes: [StateWrite] = []
        writes.reserveCapacity(finalWrites.count)
        for write in finalWrites {
            commitment.update(write.key, from: base.read(write.key), to: write.value)
            writes.append(write)
        }
        self.init(transactions: transactions, stateDelta: StateDelta(writes: writes), stateRoot: commitment.root)
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
    /// Transactions run in order on one thread (`SequentialExecutor`: all;
    /// `AdaptiveExecutor`: those of its in-order mode, see `AdaptiveReport`;
    /// the parallel executors: none). Counted in `executions` too.
    public var inOrder: Int = 0
    /// Per node of the executor's workers (declared-access executor; empty
    /// for the others): transactions they executed and stole.
    public var nodes: [NodeCounts] = []

    /// What the workers of one NUMA node did in a block.
    public struct NodeCounts: Sendable, Equatable {
        /// The node (nil: the workers' memory is not bound to a node).
        public var node: NodeID?
        /// Workers of the executor on this node.
        public var workers = 0
        /// Transactions its workers executed.
        public var executed = 0
        /// Of those, the ones taken from another node's ready queue.
        public var stolen = 0

        /// Zero counts for `node`.
        public init(node: NodeID?) { self.node = node }
    }

    /// All counters zero.
    public init() {}

    /// Executions beyond one per transaction.
    public func reexecutions(transactions: Int) -> Int { Swift.max(0, executions - transactions) }
}

/// An executor of blocks: `SequentialExecutor` (the oracle) and
/// `ParallelExecutor` give identical outputs.
public protocol BlockExecutor: AnyObject {
    /// Executes `transactions` in block order on `base`. Throws only when
    /// the executor cannot finish the block; a transaction that fails is an
    /// outcome in the output, never an error.
    func tryExecute(_ transactions: [any Transaction], on base: any StateView) throws(ExecutorFailure) -> BlockOutput
    /// Counters of the last block.
    var lastStatistics: ExecutionStatistics { get }
}

extension BlockExecutor {
    /// `tryExecute` for a caller with no fallback (tests, tools): a failure
    /// stops the process with its description.
    public func execute(_ transactions: [any Transaction], on base: any StateView) -> BlockOutput {
        do { return try tryExecute(transactions, on: base) } catch { fatalError("\(error)") }
    }
}

/// Why an executor gave up on a block. The block has no output and the
/// executor is ready for the next one, so the caller can log the failure
/// and execute the block another way (`SequentialExecutor` needs no memory
/// beyond the block's own).
public enum ExecutorFailure: Error, Equatable, Sendable, CustomStringConvertible {
    /// The block has more transactions than the executor can index.
    case blockTooLarge(transactions: Int, limit: Int)
    /// Memory for the block's structures could not be had; the message says which.
    case outOfMemory(String)
    /// An internal invariant of the executor did not hold (a bug); the
    /// message says which. The block was abandoned before any output.
    case invariantViolated(String)
    /// The executor's worker pool refused the block (it was shut down);
    /// the message says why. The block was abandoned before any output.
    case workersUnavailable(String)

    public var description: String {
        switch self {
        case .blockTooLarge(let transactions, let limit):
            "block of \(transactions) transactions exceeds the executor's limit of \(limit)"
        case .outOfMemory(let what): "executor memory: \(what)"
        case .invariantViolated(let what): "executor invariant violated: \(what)"
        case .workersUnavailable(let why): "executor workers unavailable: \(why)"
        }
    }
}
