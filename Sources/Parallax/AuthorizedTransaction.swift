import ParallaxExecution
import ParallaxPrecheck

/// What a sender signed besides the payload: who, which nonce, and what it
/// agreed to pay. The precheck copies them from a verified envelope into
/// `AdmittedTransaction`; the pipeline executes under them
/// (`AuthorizedTransaction`), whatever the payload decoder returned.
public struct SignedFields: Hashable, Sendable {
    /// The key whose signature verified.
    public var sender: SenderKey
    /// The nonce the sender signed (see `AuthorizedTransaction.nonceKey(of:)` for the rule).
    public var nonce: Nonce
    /// The most gas the sender agreed to; the executor charges at most this.
    public var gasLimit: GasLimit
    /// Fee per unit of gas.
    public var fee: Fee

    /// Fields as given (tests, tools; the pipeline takes them from a verified envelope).
    public init(sender: SenderKey, nonce: Nonce, gasLimit: GasLimit, fee: Fee) {
        self.sender = sender
        self.nonce = nonce
        self.gasLimit = gasLimit
        self.fee = fee
    }

    /// The fields of `envelope`, signed by `sender`.
    public init(_ envelope: TransactionEnvelope, sender: SenderKey) {
        self.init(sender: sender, nonce: envelope.nonce, gasLimit: envelope.gasLimit, fee: envelope.fee)
    }
}

/// The transaction the pipeline executes for an admitted envelope: the
/// decoder's contract call under the envelope's signed fields.
///
/// - Gas limit and price are the signed ones, never the call's own.
/// - The nonce rule (`SenderNonce`: Ethereum's exact next nonce) applies to
///   every envelope, at a key derived from the signer's public key alone
///   (`nonceKey(of:)`), so no decoder can forget it, pick another key, or
///   give two signers one counter: a replayed envelope, in the same block or
///   any later one, is rejected (`nonce-too-low`) without a write or a fee.
/// - What the contract decides stays the call's: its fee policy (who pays,
///   in the contract's own state layout, and where the fee goes; `none`
///   pays nothing), priced at the signed price, the gas schedule and the
///   declared access.
///
/// Built by `AdmittedTransaction.transaction`, so a custom `BlockPrecheck`
/// hands over the signed fields and cannot hand over anything else to run.
public struct AuthorizedTransaction: Transaction {
    /// The envelope's signed sender, nonce, gas limit and fee, which execution runs under.
    public let signed: SignedFields
    /// What the payload decoder made of the payload.
    public let call: any Transaction
    /// Where the sender's next nonce is kept.
    public let nonceKey: StateKey

    /// `call` under `signed`; hashes the sender's key once (`nonceKey(of:)`).
    public init(signed: SignedFields, call: any Transaction) {
        self.signed = signed
        self.call = call
        nonceKey = AuthorizedTransaction.nonceKey(of: signed.sender)
    }

    /// The domain of `nonceKey(of:)`: "pxnonce1" read little-endian.
    static let nonceDomain: UInt64 = 0x3165_636E_6F6E_7870

    /// The state key of `sender`'s next nonce: SHA-256 of a domain tag and
    /// the key bytes, as four big-endian words. Collision-resistant, so two
    /// signers never share a counter, and hashed under its own tag, so it
    /// meets no key of a contract layout (the built-in ones are structured,
    /// see `ContractKey`; one an application derives by hashing the same key
    /// differs in the tag).
    public static func nonceKey(of sender: SenderKey) -> StateKey {
        sender.sha256(domain: nonceDomain).withUnsafeBytes { digest in
            func word(_ index: Int) -> UInt64 { UInt64(bigEndian: digest.loadUnaligned(fromByteOffset: 8 * index, as: UInt64.self)) }
            return StateKey(word(0), word(1), word(2), word(3))
        }
    }

    public var gasLimit: UInt64 { signed.gasLimit.rawValue }
    /// The signed price per gas.
    public var gasPrice: UInt64 { signed.fee.rawValue }
    public var senderNonce: SenderNonce? { SenderNonce(key: nonceKey, nonce: signed.nonce.rawValue) }
    /// The call's fee policy at the signed price.
    public var feePolicy: FeePolicy { call.feePolicy.priced(at: signed.fee.rawValue) }
    public var gasSchedule: GasSchedule { call.gasSchedule }
    public var declaredAccess: DeclaredAccess? { call.declaredAccess }

    /// Runs the decoder's call in `context` (the nonce rule and the signed limit and fee are applied by the context around it).
    public func execute(in context: ExecutionContext) throws { try call.execute(in: context) }
}
