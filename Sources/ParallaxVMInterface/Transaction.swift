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
/// Gas and fees are the transaction's policy. `gasSchedule` says what the
/// context charges on its own for each access (`GasSchedule.builtIn` for the
/// built-in contracts, `GasSchedule.free` for a VM that meters itself and
/// charges its total through `chargeGas`). `feePolicy` says who pays for the
/// gas used and how, settled by the context after the contract as writes of
/// this transaction that survive a revert (`FeePolicy`): nothing (a VM with
/// its own fee rules, like the EVM's 256-bit balances, up-front debit and
/// refunds, writes its charges itself), the built-in contracts' debit of an
/// 8-byte balance (`BalanceDebitFee`), or a settlement of the VM's own
/// (`FeeSettlement`).
///
/// Replay protection is a policy too: when `senderNonce` is set, the context
/// checks it before anything runs and rejects a nonce that is not the
/// sender's next one (`NonceRejection`), and an included transaction
/// advances it whatever its outcome (`SenderNonce` has the rule).
public protocol Transaction: Sendable {
    /// Gas available to this transaction, including the schedule's intrinsic gas.
    var gasLimit: UInt64 { get }
    /// The keys this transaction may touch, when known before it runs (see
    /// `DeclaredAccess`); nil (the default): undeclared.
    var declaredAccess: DeclaredAccess? { get }
    /// Who pays for the gas used, and how (default `FeePolicy.none`).
    var feePolicy: FeePolicy { get }
    /// What the context charges on its own (default `GasSchedule.builtIn`).
    var gasSchedule: GasSchedule { get }
    /// The sender's nonce slot and the nonce this transaction carries, checked
    /// and advanced by the context (see `SenderNonce`); nil (the default):
    /// no nonce rule.
    var senderNonce: SenderNonce? { get }

    /// Runs the transaction against `context`: reads, writes, deltas, gas and events go through it.
    /// // Return for success; throw to revert (a `TransactionRejection` rejects instead). It must be deterministic in the values it reads and must let `ExecutionError.suspended` propagate; the executors may call it several times for one transaction, and only the last call counts.
    func execute(in context: ExecutionContext) throws
}

extension Transaction {
    public var declaredAccess: DeclaredAccess? { nil }
    public var gasSchedule: GasSchedule { .builtIn }
    public var feePolicy: FeePolicy { .none }
    public var senderNonce: SenderNonce? { nil }
}

/// Gas costs the context charges on its own, before the contract's own
/// `chargeGas` calls: one transaction's gas policy.
public struct GasSchedule: Hashable, Sendable {
    /// Charged before the contract starts.
    public var intrinsic: UInt64
    /// Charged per `ExecutionContext.read` (also per `canAdd`/`canSubtract` check).
    public var read: UInt64
    /// Charged per `ExecutionContext.write`, plus `perByte` for each byte written.
    public var write: UInt64
    /// Charged per `ExecutionContext.delete`.
    public var delete: UInt64
    /// Charged per `ExecutionContext.emit`, plus `perByte` for each byte of the event's data.
    public var event: UInt64
    /// Per byte of a written value or an event's data.
    public var perByte: UInt64

    /// A schedule with these costs.
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
