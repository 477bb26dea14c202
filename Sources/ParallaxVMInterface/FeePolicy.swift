/// How a transaction pays for the gas it used: one transaction's fee policy,
/// settled by the context after the contract returned (`Transaction.feePolicy`).
///
/// The gas side is `GasSchedule` (what the context charges on its own for
/// each access); this is the money side. Its writes are the transaction's
/// and survive a revert, an out-of-gas and a reported failure (the payer
/// pays for the gas either way); a rejected transaction settles nothing.
///
/// - `none`: the context writes no fee. For a VM with fee rules of its own
///   inside `execute` (the EVM: 256-bit balances, an up-front debit of the
///   gas limit, refunds, the coinbase's priority fee), and for system calls.
/// - `balanceDebit`: the built-in contracts' model (`BalanceDebitFee`).
/// - `custom`: a settlement of the VM's own (`FeeSettlement`), given the gas
///   used and the outcome, writing through a `FeeLedger`.
public enum FeePolicy: Sendable {
    /// No fee write by the context; `TransactionOutput.fee` is 0.
    case none
    /// The built-in contracts' debit of an 8-byte balance.
    case balanceDebit(BalanceDebitFee)
    /// A settlement of the VM's own.
    case custom(any FeeSettlement)

    /// The key the contract may always touch, declared or not: the balance
    /// debit's payer (a contract checks that its sender can pay). A custom
    /// settlement's keys are the settlement's only.
    @inlinable
    public var implicitlyDeclaredKey: StateKey? {
        if case .balanceDebit(let debit) = self { return debit.payer }
        return nil
    }

    /// The same policy at another price per gas (`none` stays free): how a
    /// pipeline puts the signed price on whatever policy the call chose.
    public func priced(at pricePerGas: UInt64) -> FeePolicy {
        switch self {
        case .none:
            return .none
        case .balanceDebit(var debit):
            debit.pricePerGas = pricePerGas
            return .balanceDebit(debit)
        case .custom(var settlement):
            settlement.pricePerGas = pricePerGas
            return .custom(settlement)
        }
    }
}

/// The built-in contracts' fee: `gasUsed * pricePerGas` (saturating at
/// `UInt64.max`) debited from `payer`'s balance, an 8-byte little-endian
/// `UInt64` that saturates at zero (a payer who cannot pay in full pays what
/// it has), and the amount actually debited credited to `beneficiary` when
/// one is set (else burned). `TransactionOutput.fee` is the full
/// `gasUsed * pricePerGas`, whatever the payer had.
public struct BalanceDebitFee: Sendable, Hashable {
    /// The key of the 8-byte little-endian balance that pays.
    public var payer: StateKey
    /// The fee per unit of gas used.
    public var pricePerGas: UInt64
    /// Where the amount debited is credited; nil burns it.
    public var beneficiary: FeeBeneficiary?

    /// `payer` pays `gasUsed * pricePerGas`, credited to `beneficiary`.
    @inlinable
    public init(payer: StateKey, pricePerGas: UInt64, beneficiary: FeeBeneficiary? = nil) {
        self.payer = payer
        self.pricePerGas = pricePerGas
        self.beneficiary = beneficiary
    }
}

/// Where a balance-debit fee goes (`BalanceDebitFee.beneficiary`), or a
/// custom settlement's credit (`FeeLedger.credit`): credited with the amount
/// actually debited, by delta (`byDelta`: no dependency between fee payers,
/// the beneficiary is never read) or by a plain read-modify-write (for
/// comparison). A credit that would overflow 64 bits is dropped (the fee is
/// burned); like the debit it survives a revert.
public struct FeeBeneficiary: Sendable, Hashable {
    /// The key whose 8-byte little-endian balance receives the fee.
    public var key: StateKey
    /// Whether the credit is a commutative delta (true, the default: no
    /// dependency between fee payers) or a read-modify-write.
    public var byDelta: Bool

    /// A beneficiary at `key`, credited by delta unless `byDelta` is false.
    @inlinable
    public init(key: StateKey, byDelta: Bool = true) {
        self.key = key
        self.byDelta = byDelta
    }
}

/// A fee policy of a VM's own (`FeePolicy.custom`): a tip to a validator, a
/// fee in a token other than the native one, a sponsor who pays for its
/// users, a refund of unused gas.
///
/// The context calls `settle` once per execution that is included, after the
/// contract and before the write-set is taken. Reads through the ledger are
/// tracked like the contract's own (Block-STM validates them), so `settle`
/// must be a deterministic function of its arguments and what it reads.
/// `writes` and `credits` are declared on the transaction's behalf: the
/// declared-access executor orders the transaction by them, and a ledger
/// write outside them fails the transaction as an undeclared access when
/// declarations are enforced (`DeclaredAccess`).
public protocol FeeSettlement: Sendable {
    /// The price the fee is computed at; a pipeline sets the signed one
    /// (`FeePolicy.priced(at:)`), whatever the call carried.
    var pricePerGas: UInt64 { get set }
    /// Every key `settle` may read or write in full.
    var writes: [StateKey] { get }
    /// Keys `settle` only credits by delta (`FeeLedger.credit(_:to:)` with
    /// `byDelta`): writes that depend on no earlier value.
    var credits: [StateKey] { get }

    /// Settles the fee for `gasUsed` given the outcome so far (success,
    /// reverted, out of gas, failed, undeclared access: never rejected) and
    /// returns the fee to report in `TransactionOutput.fee`. Errors from the
    /// ledger propagate (an executor's suspension, an undeclared key).
    func settle(gasUsed: UInt64, status: TransactionStatus, ledger: FeeLedger) throws(ExecutionError) -> UInt64
}

extension FeeSettlement {
    public var credits: [StateKey] { [] }
}

/// What a `FeeSettlement` writes through: unmetered reads and writes of the
/// running transaction, valid during `settle` only.
public struct FeeLedger {
    let context: ExecutionContext
    let declared: any FeeSettlement

    /// The value of `key` as the transaction sees it (its own writes first).
    public func read(_ key: StateKey) throws(ExecutionError) -> StateValue? {
        try context.requireSettlementKey(key, of: declared, credit: false)
        return try context.currentValue(key)
    }

    /// Writes `value` to `key` (nil deletes it).
    public func write(_ key: StateKey, _ value: StateValue?) throws(ExecutionError) {
        try context.requireSettlementKey(key, of: declared, credit: false)
        context.put(key, value)
    }

    /// Credits `amount` to an 8-byte balance, by delta or read-modify-write
    /// as `beneficiary` says (see `FeeBeneficiary`); dropped on overflow.
    public func credit(_ amount: UInt64, to beneficiary: FeeBeneficiary) throws(ExecutionError) {
        try context.requireSettlementKey(beneficiary.key, of: declared, credit: beneficiary.byDelta)
        try context.creditFee(amount, to: beneficiary)
    }
}

extension ExecutionContext {
    /// A custom settlement's access outside its declared keys (`writes`, and
    /// `credits` for a credit by delta), when declarations are enforced,
    /// fails like the contract's own. The key lists are not built otherwise.
    package func requireSettlementKey(_ key: StateKey, of settlement: any FeeSettlement, credit: Bool) throws(ExecutionError) {
        guard enforcing, !settlement.writes.contains(key), !(credit && settlement.credits.contains(key)) else { return }
        try failUndeclared(key)
    }

    /// Settles `policy` for the finished execution; the fee to report.
    package func settle(_ policy: FeePolicy, status: TransactionStatus) throws(ExecutionError) -> UInt64 {
        switch policy {
        case .none:
            return 0
        case .balanceDebit(let debit):
            let fee = gasUsed.multipliedReportingOverflow(by: debit.pricePerGas)
            let amount = fee.overflow ? UInt64.max : fee.partialValue
            let current = try currentValue(debit.payer)?.uint64Value ?? 0
            let debited = Swift.min(current, amount)
            put(debit.payer, StateValue(uint64: current - debited))
            if let beneficiary = debit.beneficiary, debited > 0 { try creditFee(debited, to: beneficiary) }
            return amount
        case .custom(let settlement):
            return try settlement.settle(gasUsed: gasUsed, status: status, ledger: FeeLedger(context: self, declared: settlement))
        }
    }
}
