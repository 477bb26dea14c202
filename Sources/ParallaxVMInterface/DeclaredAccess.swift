/// The keys a transaction declares it may touch, known before it runs
/// (Solana's account lists, Sui's object inputs): exact keys, no ranges.
///
/// A declared read key may be read (and bound-checked: `canAdd`,
/// `canSubtract`); a declared write key may also be written, deleted and
/// changed by delta (`add`, `subtract`). The balance-debit fee payer
/// (`BalanceDebitFee.payer`) and the sender's nonce key
/// (`Transaction.senderNonce`) are always declared for writing; the fee
/// settlement's own writes (the debit, the beneficiary's credit, a
/// `FeeSettlement`'s `writes` and `credits`) are declared by the policy:
/// none needs listing.
///
/// Uses:
/// - `DeclaredAccessExecutor` schedules by declarations alone (no
///   speculation, no aborts), so it enforces them: touching an undeclared key
///   is the typed failure `TransactionStatus.undeclaredAccess`, decided in
///   `ExecutionContext` exactly as the other executors decide it when asked
///   to enforce (`SequentialExecutor(enforcingDeclarations: true)`).
/// - `ParallelExecutor.declarationHints` uses them only to delay reads that
///   would surely be overwritten; wrong declarations cost time, never
///   correctness.
///
/// Membership is a linear scan (contracts declare a handful of keys; the
/// scan compares four words per key without branches).
public struct DeclaredAccess: Sendable, Hashable {
    /// Keys only read.
    public var reads: [StateKey]
    /// Keys written, deleted, or read and written.
    public var writes: [StateKey]

    /// A declaration of `reads` (read only) and `writes` (read, written, deleted, changed by delta).
    public init(reads: [StateKey] = [], writes: [StateKey] = []) {
        self.reads = reads
        self.writes = writes
    }

    /// Whether `key` may be read (declared for reading or writing).
    @inlinable
    public func allowsRead(_ key: StateKey) -> Bool { writes.contains(key) || reads.contains(key) }

    /// Whether `key` may be written or deleted.
    @inlinable
    public func allowsWrite(_ key: StateKey) -> Bool { writes.contains(key) }
}
