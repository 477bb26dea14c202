import ParallaxExecution
import ParallaxPrecheck

/// A transaction that passed precheck, ready to execute.
public struct AdmittedTransaction: Sendable {
    /// Index of its envelope in the submitted block.
    public var position: Int
    /// Keccak-256 of its signed bytes (see docs/precheck.md).
    public var hash: TransactionHash
    /// The decoded transaction.
    public var transaction: any Transaction

    /// A verified transaction at `position` of its block.
    public init(position: Int, hash: TransactionHash, transaction: any Transaction) {
        self.position = position
        self.hash = hash
        self.transaction = transaction
    }
}

/// Why precheck turned a transaction away (it never executes and pays no fee).
public enum RejectionReason: Error, Equatable, Sendable, CustomStringConvertible {
    /// The envelope does not decode.
    case malformed(EnvelopeError)
    /// The signature does not verify; `reason` is the verifier's verdict.
    case invalidSignature(scheme: SignatureScheme, reason: String)
    /// Signed for another chain.
    case wrongChain(expected: ChainID, given: ChainID)
    /// The payload decoder refused the payload; `reason` describes its error.
    case undecodablePayload(reason: String)

    /// A sentence naming the reason.
    public var description: String {
        switch self {
        case .malformed(let error): "malformed envelope: \(error)"
        case .invalidSignature(let scheme, let reason): "invalid \(scheme) signature: \(reason)"
        case .wrongChain(let expected, let given): "signed for \(given), this pipeline runs \(expected)"
        case .undecodablePayload(let reason): "undecodable payload: \(reason)"
        }
    }
}

/// A transaction precheck turned away.
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
public protocol PayloadDecoder: Sendable {
    /// The transaction `payload` encodes, sent by `sender`; throw to reject it.
    func decode(payload: UnsafeRawBufferPointer, sender: PublicKey, envelope: TransactionEnvelope) throws -> any Transaction
}
