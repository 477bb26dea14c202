/// A transaction before signing: every envelope field but the signature.
///
/// `signingBytes` is the envelope prefix that `TransactionEnvelope` documents,
/// and `hash` (Keccak-256 of it) is both the transaction's identity and the
/// message its signature signs.
public struct UnsignedTransaction: Hashable, Sendable {
    /// The chain the transaction is valid on.
    public var chainID: ChainID
    /// The key that signs it.
    public var sender: PublicKey
    /// The sender's nonce for this transaction.
    public var nonce: Nonce
    /// The most gas the sender agrees to pay for.
    public var gasLimit: GasLimit
    /// The fee per unit of gas the sender offers.
    public var fee: Fee
    /// The contract call, as the application's payload decoder reads it.
    public var payload: [UInt8]

    /// A transaction with these fields.
    public init(chainID: ChainID, sender: PublicKey, nonce: Nonce, gasLimit: GasLimit, fee: Fee, payload: [UInt8]) {
        self.chainID = chainID
        self.sender = sender
        self.nonce = nonce
        self.gasLimit = gasLimit
        self.fee = fee
        self.payload = payload
    }

    /// The bytes the transaction hash covers.
    /// - Precondition: the payload fits the 32-bit length field.
    public var signingBytes: [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(TransactionEnvelope.fixedBytes(for: sender.scheme) + payload.count)
        appendSigningBytes(to: &bytes)
        return bytes
    }

    func appendSigningBytes(to bytes: inout [UInt8]) {
        precondition(payload.count <= Int(UInt32.max), "payload of \(payload.count) bytes does not fit the envelope")
        bytes.append(TransactionEnvelope.version)
        bytes.append(sender.scheme.rawValue)
        appendLittleEndian(chainID.rawValue, to: &bytes)
        bytes.append(contentsOf: sender.bytes)
        appendLittleEndian(nonce.rawValue, to: &bytes)
        appendLittleEndian(gasLimit.rawValue, to: &bytes)
        appendLittleEndian(fee.rawValue, to: &bytes)
        appendLittleEndian(UInt32(payload.count), to: &bytes)
        bytes.append(contentsOf: payload)
    }

    /// Keccak-256 of `signingBytes`.
    public var hash: TransactionHash { TransactionHash(BatchHasher.digest(.keccak256, of: signingBytes)) }

    /// This transaction with `signature` attached.
    public func signed(with signature: Signature) throws(EnvelopeError) -> SignedTransaction {
        try SignedTransaction(self, signature: signature)
    }
}

/// A transaction with its signature: the value an envelope encodes.
public struct SignedTransaction: Hashable, Sendable {
    /// Every field but the signature.
    public let unsigned: UnsignedTransaction
    /// The signature over `unsigned.hash`.
    public let signature: Signature

    /// `unsigned` with its `signature`; throws `EnvelopeError.schemeMismatch` when the signature's scheme is not the sender key's.
    public init(_ unsigned: UnsignedTransaction, signature: Signature) throws(EnvelopeError) {
        guard unsigned.sender.scheme == signature.scheme else {
            throw .schemeMismatch(publicKey: unsigned.sender.scheme, signature: signature.scheme)
        }
        self.unsigned = unsigned
        self.signature = signature
    }

    /// The transaction hash, which the signature signs.
    public var hash: TransactionHash { unsigned.hash }

    /// The envelope bytes (layout: `TransactionEnvelope`).
    public func encoded() -> [UInt8] {
        var bytes: [UInt8] = []
        encode(into: &bytes)
        return bytes
    }

    /// Appends the envelope bytes to `bytes` (to pack a block without copies).
    public func encode(into bytes: inout [UInt8]) {
        bytes.reserveCapacity(bytes.count + TransactionEnvelope.fixedBytes(for: signature.scheme) + unsigned.payload.count)
        unsigned.appendSigningBytes(to: &bytes)
        bytes.append(contentsOf: signature.bytes)
    }

    /// Decodes exactly one envelope; every malformation is an `EnvelopeError`.
    public init<C: Collection<UInt8>>(decoding bytes: C, limits: EnvelopeLimits = .default) throws(EnvelopeError) {
        let contiguous = Array(bytes)
        let envelope = try TransactionEnvelope.parse(contiguous, limits: limits)
        let scheme = envelope.scheme
        // Lengths were validated by the parse; these initializers cannot fail.
        let sender = try PublicKey(scheme: scheme, bytes: contiguous[envelope.publicKeyRange])
        let signature = try Signature(scheme: scheme, bytes: contiguous[envelope.signatureRange])
        let unsigned = UnsignedTransaction(chainID: envelope.chainID, sender: sender, nonce: envelope.nonce,
                                           gasLimit: envelope.gasLimit, fee: envelope.fee,
                                           payload: Array(contiguous[envelope.payloadRange]))
        try self.init(unsigned, signature: signature)
    }
}

/// Keccak-256 of a transaction's signing bytes.
public struct TransactionHash: Hashable, Sendable, CustomStringConvertible {
    /// The 32 digest bytes.
    public let digest: Digest32
    /// A hash from its digest.
    public init(_ digest: Digest32) { self.digest = digest }
    public var description: String { digest.hex }
}

private func appendLittleEndian<T: FixedWidthInteger>(_ value: T, to bytes: inout [UInt8]) {
    withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
}
