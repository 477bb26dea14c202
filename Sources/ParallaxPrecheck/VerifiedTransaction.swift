/// A transaction that passed the precheck stage: decoded, hashed, within the
/// rules and correctly signed by `sender`.
///
/// It holds no bytes of its own: the payload stays in the block buffer the
/// stage read, at `payloadRange`, so the stage allocates nothing per
/// transaction (the value is plain data, no reference counting).
public struct VerifiedTransaction: Hashable, Sendable {
    /// Keccak-256 of the signed bytes: the transaction's identity.
    public let hash: TransactionHash
    /// The key whose signature verified.
    public let sender: SenderKey
    /// The decoded fields; its ranges are relative to the envelope's first byte.
    public let envelope: TransactionEnvelope
    /// Where the envelope lies in the block buffer (`PackedMessages.bytes`).
    public let byteRange: Range<Int>

    /// A verified transaction as the precheck stage builds it.
    public init(hash: TransactionHash, sender: SenderKey, envelope: TransactionEnvelope, byteRange: Range<Int>) {
        self.hash = hash
        self.sender = sender
        self.envelope = envelope
        self.byteRange = byteRange
    }

    /// The envelope's signature scheme.
    public var scheme: SignatureScheme { envelope.scheme }
    /// The chain the envelope was signed for.
    public var chainID: ChainID { envelope.chainID }
    /// The signed nonce.
    public var nonce: Nonce { envelope.nonce }
    /// The signed gas limit.
    public var gasLimit: GasLimit { envelope.gasLimit }
    /// The signed fee per unit of gas.
    public var fee: Fee { envelope.fee }

    /// Where the payload lies in the block buffer.
    public var payloadRange: Range<Int> {
        (byteRange.lowerBound + envelope.payloadRange.lowerBound)..<(byteRange.lowerBound + envelope.payloadRange.upperBound)
    }

    /// The payload, read from the block this transaction was checked in.
    public func payload(in block: PackedMessages) -> ArraySlice<UInt8> { block.bytes[payloadRange] }
}

/// One transaction's outcome: verified, or rejected with its reason.
public typealias PrecheckResult = Result<VerifiedTransaction, PrecheckRejection>
