/// Replay protection in state: Ethereum's exact-next-nonce rule, applied by
/// `ExecutionContext.run` to every transaction whose `senderNonce` is set.
///
/// The value at `key` (8 bytes, little-endian; absent: 0) is the nonce the
/// sender's next transaction must carry, i.e. how many of its transactions
/// have been included. Per transaction, in block order:
///
/// ```
///   stored = state[key] ?? 0
///   nonce <  stored            → rejected, nonce-too-low   (a replay, or an old one)
///   nonce >  stored            → rejected, nonce-gap       (an earlier one is missing)
///   nonce == stored == 2^64-1  → rejected, nonce-exhausted (no next nonce to store)
///   nonce == stored            → runs; state[key] = nonce + 1 whatever the outcome
/// ```
///
/// Why this rule and not "strictly increasing with gaps": with exactly one
/// acceptable nonce per sender and state, a signed transaction can be
/// included at most once, in any block, and the same envelope twice in one
/// block rejects itself (the second copy reads the first copy's bump); a
/// sender who skips a nonce cannot have a later transaction reordered in
/// front of the skipped one.
///
/// Where it is enforced: in the context, before the intrinsic gas, so no
/// gas limit is too small to reach the check, and a rejection has no
/// writes, no gas and no fee (`TransactionStatus.rejected`). The bump is a
/// write of the context like the fee debit: it stands when the contract
/// succeeds, reverts, fails or runs out of gas (it was paid for, so it
/// cannot run again), and it is dropped only with a rejection. The read and
/// the write go through the executor's reader like every other access, so
/// Block-STM validates the nonce read and orders two transactions of one
/// sender exactly as the sequential executor does; the declared-access
/// executor declares the key for writing (`DependencyGraph`). Neither access
/// costs gas (the intrinsic gas covers it, as in Ethereum), and neither is
/// checked against `declaredAccess`.
public struct SenderNonce: Hashable, Sendable {
    /// Where the sender's next nonce is kept.
    public var key: StateKey
    /// The nonce the transaction carries (signed by the sender).
    public var nonce: UInt64

    /// The rule for a transaction carrying `nonce`, the sender's counter being at `key`.
    public init(key: StateKey, nonce: UInt64) {
        self.key = key
        self.nonce = nonce
    }

    /// Why the transaction is rejected when the sender's next nonce is
    /// `stored` (nil: the key is absent), or nil when it may run.
    public func rejection(stored: StateValue?) -> NonceRejection? {
        let expected = stored?.uint64Value ?? 0
        if nonce < expected { return .tooLow(expected: expected, given: nonce) }
        if nonce > expected { return .gap(expected: expected, given: nonce) }
        if nonce == .max { return .exhausted }
        return nil
    }

    /// The value stored once the transaction is included.
    package var bumped: StateValue { StateValue(uint64: nonce + 1) }
}

/// A transaction refused by the nonce rule (`SenderNonce`): not included, no
/// writes, no gas, no fee. Its `rejectionReason.code` is one of the stable
/// codes below.
public enum NonceRejection: TransactionRejection, Hashable, Sendable, CustomStringConvertible {
    /// The nonce was used already (a replay) or skipped over.
    case tooLow(expected: UInt64, given: UInt64)
    /// A nonce between the stored one and this one has not been included.
    case gap(expected: UInt64, given: UInt64)
    /// The sender used every nonce below 2^64 - 1; none can follow.
    case exhausted

    /// The code of `tooLow`: the nonce was used already (a replay).
    public static let tooLowCode = "nonce-too-low"
    /// The code of `gap`: an earlier nonce has not been included.
    public static let gapCode = "nonce-gap"
    /// The code of `exhausted`.
    public static let exhaustedCode = "nonce-exhausted"

    /// The stable code (`tooLowCode`, `gapCode`, `exhaustedCode`) and the nonces in words.
    public var rejectionReason: RejectionReason {
        switch self {
        case .tooLow(let expected, let given):
            RejectionReason(code: NonceRejection.tooLowCode, detail: "nonce \(given) is below the sender's next nonce \(expected)")
        case .gap(let expected, let given):
            RejectionReason(code: NonceRejection.gapCode, detail: "nonce \(given) is above the sender's next nonce \(expected)")
        case .exhausted:
            RejectionReason(code: NonceRejection.exhaustedCode, detail: "the sender's nonce reached 2^64 - 1")
        }
    }

    public var description: String { rejectionReason.description }
}
