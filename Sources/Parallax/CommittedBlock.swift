import ParallaxExecution
import ParallaxPrecheck
import ParallaxState

/// A transaction a committed block includes: executed, successfully or not
/// (a reverted or out-of-gas one is included, pays its fee and has only the
/// fee write).
public struct IncludedTransaction: Equatable, Sendable {
    /// Index of its envelope in the submitted block.
    public var position: Int
    /// Its transaction hash.
    public var hash: TransactionHash
    /// Status, gas, fee, events and write-set.
    public var output: TransactionOutput

    /// An included transaction.
    public init(position: Int, hash: TransactionHash, output: TransactionOutput) {
        self.position = position
        self.hash = hash
        self.output = output
    }
}

/// What the pipeline reports for each block once it is committed to the store.
public struct CommittedBlock: Equatable, Sendable {
    /// The block's height in the store.
    public var height: BlockHeight
    /// Root of the state after the block.
    public var stateRoot: StateRoot
    /// The executed transactions, in block order.
    public var included: [IncludedTransaction]
    /// The transactions turned away, by precheck or at execution (a replayed
    /// or out-of-order nonce), in block order; none of them wrote or paid.
    public var rejected: [Rejection]
    /// The block's merged writes.
    public var stateDelta: StateDelta

    /// A committed block.
    public init(height: BlockHeight, stateRoot: StateRoot, included: [IncludedTransaction], rejected: [Rejection], stateDelta: StateDelta) {
        self.height = height
        self.stateRoot = stateRoot
        self.included = included
        self.rejected = rejected
        self.stateDelta = stateDelta
    }
}
