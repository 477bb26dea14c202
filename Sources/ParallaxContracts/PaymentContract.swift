import ParallaxVMInterface

/// The native currency and its payment transaction (the `p2p` workload).
///
/// State layout (`ContractKey`, contract `native`):
///
/// | key | value |
/// |---|---|
/// | `(native, balance, account)` | balance, `UInt64` LE (also the fee payer of every built-in transaction) |
/// | `(native, nonce, account)` | the last nonce the account used, `UInt64` LE (absent: none) |
public enum NativeToken {
    /// The native balance of `account`, `UInt64` little-endian: what fees are paid from.
    @inlinable
    public static func balanceKey(_ account: Account) -> StateKey { ContractKey.make(.native, field: 1, account.raw) }

    /// The last nonce `account` used for a payment (`PaymentTransaction`'s own rule).
    @inlinable
    public static func nonceKey(_ account: Account) -> StateKey { ContractKey.make(.native, field: 2, account.raw) }

    /// The built-in contracts' fee policy: `account`'s native balance pays
    /// `gasUsed * pricePerGas` (`BalanceDebitFee`), credited to `beneficiary`.
    @inlinable
    public static func fee(of account: Account, pricePerGas: UInt64, beneficiary: FeeBeneficiary?) -> FeePolicy {
        .balanceDebit(BalanceDebitFee(payer: balanceKey(account), pricePerGas: pricePerGas, beneficiary: beneficiary))
    }
}

/// A payment of `amount` native currency from `sender` to `recipient`.
///
/// Rules, in order (each failure reverts; the fee is still charged):
/// 1. the nonce must exceed the sender's last used nonce (strictly
///    increasing nonces with gaps allowed, as NEAR's access keys; replays
///    revert), and becomes the last used nonce;
/// 2. the sender must hold `amount` plus the largest fee the transaction can
///    pay (`gasLimit * gasPrice`, Ethereum's up-front check);
/// 3. the recipient's balance must not overflow.
///
/// Since a revert drops every write but the fee, a reverted payment does
/// not consume its nonce; the generator's nonces stay valid regardless.
/// Accesses: nonce and balance of the sender, balance of the recipient —
/// all known before execution (`accessedKeys`).
public struct PaymentTransaction: Transaction {
    /// The payer, whose native balance also pays the fee.
    public var sender: Account
    /// The payee.
    public var recipient: Account
    /// The native currency moved.
    public var amount: UInt64
    /// The sender's payment nonce; it must exceed the last one used.
    public var nonce: UInt64

    /// A payment of `amount` from `sender` to `recipient` with `nonce`.
    public init(sender: Account, recipient: Account, amount: UInt64, nonce: UInt64) {
        self.sender = sender
        self.recipient = recipient
        self.amount = amount
        self.nonce = nonce
    }

    /// The gas limit of every payment.
    public static let gasLimit: UInt64 = 30_000
    public var gasLimit: UInt64 { PaymentTransaction.gasLimit }
    /// The fee per unit of gas (`feePolicy`); under the pipeline the signed one replaces it.
    public var gasPrice: UInt64 { 1 }
    /// The built-in fee: `gasUsed * gasPrice` from the sender's native balance.
    public var feePolicy: FeePolicy { NativeToken.fee(of: sender, pricePerGas: gasPrice, beneficiary: feeBeneficiary) }
    /// Where the fee goes (the generators set the block beneficiary).
    public var feeBeneficiary: FeeBeneficiary? = nil
    /// Credits the recipient by a delta write (no dependency on its
    /// balance) instead of a read-modify-write; same outcome.
    public var creditByDelta = false

    /// Every key `execute` may touch.
    public var accessedKeys: [StateKey] {
        [NativeToken.nonceKey(sender), NativeToken.balanceKey(sender), NativeToken.balanceKey(recipient)]
    }

    /// All three keys are written (the nonce and both balances).
    public var declaredAccess: DeclaredAccess? { DeclaredAccess(writes: accessedKeys) }

    /// Why a payment reverts.
    public enum Failure: Error, Equatable, CustomStringConvertible {
        /// The nonce is not above the last used nonce.
        case staleNonce(last: UInt64, got: UInt64)
        /// The sender cannot pay the amount plus the largest fee.
        case insufficientBalance(have: UInt64, need: UInt64)
        /// The recipient's balance would exceed `UInt64.max`.
        case balanceOverflow(Account)

        public var description: String {
            switch self {
            case .staleNonce(let last, let got): "nonce \(got) is not above the last used nonce \(last)"
            case .insufficientBalance(let have, let need): "insufficient balance: have \(have), need \(need)"
            case .balanceOverflow(let account): "balance of \(account) would overflow"
            }
        }
    }

    public func execute(in context: ExecutionContext) throws { try execute(in: context, work: NoContractWork()) }

    /// `execute(in:)` with the benchmark's work placed (`ContractWorkHook`).
    @inlinable
    package func execute(in context: ExecutionContext, work: some ContractWorkHook) throws {
        work.entry(seed: nonce ^ sender.raw)
        let nonceKey = NativeToken.nonceKey(sender)
        let last = try context.read(nonceKey)?.uint64Value ?? 0
        guard nonce > last else { throw Failure.staleNonce(last: last, got: nonce) }
        let senderKey = NativeToken.balanceKey(sender)
        let balance = try context.read(senderKey)?.uint64Value ?? 0
        let maximumFee = gasLimit.multipliedReportingOverflow(by: gasPrice)
        let need = amount.addingReportingOverflow(maximumFee.partialValue)
        guard !maximumFee.overflow, !need.overflow, balance >= need.partialValue else {
            throw Failure.insufficientBalance(have: balance, need: need.overflow ? .max : need.partialValue)
        }
        work.body(seed: balance ^ nonce)
        try context.write(senderKey, StateValue(uint64: balance - amount))
        let recipientKey = NativeToken.balanceKey(recipient)
        if creditByDelta {
            do { try context.add(recipientKey, amount) } catch is DeltaError { throw Failure.balanceOverflow(recipient) }
        } else {
            let credit = try context.read(recipientKey)?.uint64Value ?? 0
            let sum = credit.addingReportingOverflow(amount)
            guard !sum.overflow else { throw Failure.balanceOverflow(recipient) }
            try context.write(recipientKey, StateValue(uint64: sum.partialValue))
        }
        try context.write(nonceKey, StateValue(uint64: nonce))
    }
}
