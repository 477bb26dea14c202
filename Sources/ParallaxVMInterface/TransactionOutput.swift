/// Why a transaction was rejected: a stable machine-readable code
/// (`nonce-too-low`, the EVM's `invalid-transaction`) and the details in words.
public struct RejectionReason: Hashable, Sendable, CustomStringConvertible {
    /// The stable machine-readable code, such as `nonce-too-low`.
    public var code: String
    /// The reason in words, for logs and people.
    public var detail: String

    /// A reason with `code` and `detail`.
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
    /// The code and details reported in `TransactionStatus.rejected`.
    var rejectionReason: RejectionReason { get }
}

/// A write in a write-set or state delta: `value == nil` deletes the key.
public struct StateWrite: Hashable, Sendable {
    /// The key written.
    public var key: StateKey
    /// Its new value; nil deletes the key.
    public var value: StateValue?

    /// A write of `value` (nil: a deletion) to `key`.
    @inlinable
    public init(key: StateKey, value: StateValue?) {
        self.key = key
        self.value = value
    }
}

/// How a transaction ended. Every status but `rejected` is included in the block, with its gas and fee charged.
public enum TransactionStatus: Hashable, Sendable {
    /// Returned normally: its writes and events stand.
    case success
    /// The contract threw; `reason` is the `String(describing:)` of the error.
    case reverted(reason: String)
    /// Ran out of gas (`gasUsed == gasLimit`): writes and events dropped, gas and fee charged.
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
    /// How the transaction ended.
    public var status: TransactionStatus
    /// Gas charged, intrinsic gas included (0 when rejected).
    public var gasUsed: UInt64
    /// The fee the policy charged for `gasUsed` (`FeePolicy`: 0 for `none`,
    /// `gasUsed * pricePerGas` saturating for `BalanceDebitFee`).
    public var fee: UInt64
    /// Empty unless the status is success.
    public var events: [Event]
    /// In the order of first write. On revert, out of gas or undeclared
    /// access only the context's own writes survive (the fee debit and its
    /// beneficiary's credit, the sender's nonce bump); on `failed`, what the
    /// VM wrote; empty when rejected.
    public var writeSet: [StateWrite]
    /// What the transaction returned (`ExecutionContext.setReturnData`).
    public var returnData: [UInt8]

    /// An output as given (executors build them; tests compare them).
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
