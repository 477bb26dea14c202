import ParallaxExecution
import ParallaxPrecheck

/// An envelope that passed precheck: its signed fields and the contract call
/// its payload decodes to, ready to execute as `transaction`.
public struct AdmittedTransaction: Sendable {
    /// Index of its envelope in the submitted block.
    public var position: Int
    /// Keccak-256 of its signed bytes (see docs/precheck.md).
    public var hash: TransactionHash
    /// Sender, nonce, gas limit and fee, as signed.
    public var signed: SignedFields
    /// The decoder's transaction for the payload; its own gas limit, gas
    /// price and nonce are not used (see `AuthorizedTransaction`).
    public var call: any Transaction

    /// A verified envelope at `position` of its block.
    public init(position: Int, hash: TransactionHash, signed: SignedFields, call: any Transaction) {
        self.position = position
        self.hash = hash
        self.signed = signed
        self.call = call
    }

    /// What executes: `call` under the signed fields (hashes the sender's
    /// key for its nonce key, so build it once per execution of a block).
    public var transaction: AuthorizedTransaction { AuthorizedTransaction(signed: signed, call: call) }
}

/// Why a transaction was turned away: by precheck (the first six), or at
/// execution, where the state decides (`execution`: a nonce that is not the
/// sender's next one). Either way it is not included, writes nothing and
/// pays no fee.
public enum RejectionReason: Error, Equatable, Sendable, CustomStringConvertible {
    /// The envelope does not decode.
    case malformed(EnvelopeError)
    /// The signature does not verify: the verifier's verdict (it names the scheme).
    case invalidSignature(SignatureFailure)
    /// Signed for another chain.
    case wrongChain(expected: ChainID, given: ChainID)
    /// A gas limit outside the precheck rules' range (`PrecheckRules.gasLimits`).
    case gasLimitOutOfRange(GasLimit, allowed: ClosedRange<GasLimit>)
    /// A fee per gas below the precheck rules' minimum (`PrecheckRules.minimumFee`).
    case feeBelowMinimum(Fee, minimum: Fee)
    /// The payload decoder refused the payload; `reason` describes its error.
    case undecodablePayload(reason: String)
    /// Executed against the state and rejected there (`TransactionStatus.rejected`):
    /// `NonceRejection`'s codes `nonce-too-low` (a replay), `nonce-gap` and
    /// `nonce-exhausted`, or a contract's own `TransactionRejection`.
    case execution(ParallaxExecution.RejectionReason)

    /// A stable machine-readable name of the reason: `malformed`,
    /// `invalid-signature`, `wrong-chain`, `gas-limit-out-of-range`,
    /// `fee-below-minimum`, `undecodable-payload`, or the execution
    /// rejection's own code.
    public var code: String {
        switch self {
        case .malformed: "malformed"
        case .invalidSignature: "invalid-signature"
        case .wrongChain: "wrong-chain"
        case .gasLimitOutOfRange: "gas-limit-out-of-range"
        case .feeBelowMinimum: "fee-below-minimum"
        case .undecodablePayload: "undecodable-payload"
        case .execution(let reason): reason.code
        }
    }

    /// A sentence naming the reason.
    public var description: String {
        switch self {
        case .malformed(let error): "malformed envelope: \(error)"
        case .invalidSignature(let failure): "invalid signature: \(failure)"
        case .wrongChain(let expected, let given): "signed for \(given), this pipeline runs \(expected)"
        case .gasLimitOutOfRange(let limit, let allowed):
            "gas limit \(limit.rawValue) outside \(allowed.lowerBound.rawValue)...\(allowed.upperBound.rawValue)"
        case .feeBelowMinimum(let fee, let minimum): "fee \(fee.rawValue) below the minimum \(minimum.rawValue)"
        case .undecodablePayload(let reason): "undecodable payload: \(reason)"
        case .execution(let reason): "rejected at execution: \(reason)"
        }
    }
}

/// A transaction turned away, by precheck or at execution.
public struct Rejection: Equatable, Sendable {
    /// Index of its envelope in the submitted block.
    public var position: Int
    /// Its transaction hash, nil when the envelope does not decode.
    public var hash: TransactionHash?
    /// Why it was rejected.
    public var reason: RejectionReason

    /// A rejection of the envelope at `position`.
    public init(position: Int, hash: TransactionHash?, reason: RejectionReason) {
        self.position = position
        self.hash = hash
        self.reason = reason
    }
}

/// The verdict of precheck on one envelope.
public enum PrecheckOutcome: Sendable {
    /// Decoded, signature valid: it executes.
    case verified(AdmittedTransaction)
    /// Turned away.
    case rejected(Rejection)
}

/// The precheck stage's work on one block: encoded envelopes in, one result
/// per envelope out, in block order (position `i` of the result is envelope
/// `i`).
///
/// The pipeline calls `precheck` from its precheck stage, one block at a
/// time, so an implementation may keep scratch state between calls.
public protocol BlockPrecheck: AnyObject, Sendable {
    /// Decodes, hashes and verifies every envelope of `block`.
    func precheck(_ block: PackedMessages) -> [PrecheckOutcome]
}

/// Turns an envelope's payload into the `Transaction` a contract implements:
/// the one piece of precheck that depends on the application. Called after
/// the signature verified, so `sender` is authenticated.
///
/// The decoder decides the call and who pays for it (its `feePolicy`,
/// normally the sender's account in the contract's layout); it does not
/// decide what the sender signed: the pipeline executes the result under
/// the envelope's gas limit, fee and nonce (`AuthorizedTransaction`), and
/// ignores the result's own `gasLimit`, price per gas and `senderNonce`.
public protocol PayloadDecoder: Sendable {
    /// The call `payload` encodes, sent by `sender`; throw to reject it.
    func decode(payload: UnsafeRawBufferPointer, sender: PublicKey, envelope: TransactionEnvelope) throws -> any Transaction
}
