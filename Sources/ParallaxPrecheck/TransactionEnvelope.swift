/// A validated signed-transaction envelope inside a byte buffer: the decoded
/// integer fields and the positions of the variable parts, with no copy.
///
/// Layout, version 1 (all integers little-endian; docs/precheck.md draws it):
///
///     offset      size  field
///     0           1     version = 1
///     1           1     signature scheme (1 = Ed25519, 2 = secp256k1 ECDSA)
///     2           8     chain id
///     10          K     sender public key (K = 32 Ed25519, 33 secp256k1)
///     10+K        8     nonce
///     18+K        8     gas limit
///     26+K        8     fee per gas
///     34+K        4     payload length P
///     38+K        P     payload
///     38+K+P      64    signature
///
/// Every length follows from the scheme tag except P, so P is the one length
/// the decoder reads from the input; it is checked against the limit and
/// against the bytes actually present before anything is sliced. The
/// transaction hash is Keccak-256 of bytes 0 ..< 38+K+P (everything but the
/// signature), and the signature signs that hash.
///
/// Invariant of a parsed value: all ranges lie inside the parsed buffer and
/// `signatureRange.upperBound` is the buffer's length (no trailing bytes).
public struct TransactionEnvelope: Hashable, Sendable {
    /// The only envelope version this decoder accepts.
    public static let version: UInt8 = 1

    /// The signature scheme of the sender's key and signature.
    public let scheme: SignatureScheme
    /// The chain the envelope is signed for.
    public let chainID: ChainID
    /// The sender's nonce.
    public let nonce: Nonce
    /// The gas limit the sender signed.
    public let gasLimit: GasLimit
    /// The fee per unit of gas the sender signed.
    public let fee: Fee
    /// Byte ranges, relative to the start of the parsed buffer.
    public let publicKeyRange: Range<Int>
    /// Where the payload lies, relative to the start of the parsed buffer.
    public let payloadRange: Range<Int>
    /// Where the signature lies (the last 64 bytes of the envelope).
    public let signatureRange: Range<Int>

    /// The bytes the transaction hash covers: everything before the signature.
    public var signedRange: Range<Int> { 0..<signatureRange.lowerBound }
    /// The length of the whole envelope.
    public var byteCount: Int { signatureRange.upperBound }

    /// Envelope bytes other than the payload, for `scheme`.
    public static func fixedBytes(for scheme: SignatureScheme) -> Int {
        headerBytes + scheme.publicKeyLength + trailerBytes + scheme.signatureLength
    }

    /// version, scheme, chain id.
    static let headerBytes = 1 + 1 + 8
    /// nonce, gas limit, fee, payload length.
    static let trailerBytes = 8 + 8 + 8 + 4

    /// Parses and validates `bytes` as exactly one envelope.
    public static func parse(_ bytes: UnsafeRawBufferPointer,
                             limits: EnvelopeLimits = .default) throws(EnvelopeError) -> TransactionEnvelope {
        guard bytes.count <= limits.maxEnvelopeBytes else {
            throw .oversized(byteCount: bytes.count, limit: limits.maxEnvelopeBytes)
        }
        var reader = Reader(bytes: bytes)
        let version = try reader.byte(.version)
        guard version == Self.version else { throw .unsupportedVersion(version) }
        let tag = try reader.byte(.signatureScheme)
        guard let scheme = SignatureScheme(rawValue: tag) else { throw .unknownSignatureScheme(tag) }
        let chainID = ChainID(try reader.uint64(.chainID))
        let publicKeyRange = try reader.skip(scheme.publicKeyLength, .publicKey)
        let nonce = Nonce(try reader.uint64(.nonce))
        let gasLimit = GasLimit(try reader.uint64(.gasLimit))
        let fee = Fee(try reader.uint64(.fee))
        let declared = try reader.uint32(.payloadLength)
        guard Int(declared) <= limits.maxPayloadBytes else {
            throw .payloadTooLarge(declared: declared, limit: limits.maxPayloadBytes)
        }
        let payloadRange = try reader.skip(Int(declared), .payload)
        let signatureRange = try reader.skip(scheme.signatureLength, .signature)
        guard reader.remaining == 0 else { throw .trailingBytes(count: reader.remaining) }
        return TransactionEnvelope(scheme: scheme, chainID: chainID, nonce: nonce, gasLimit: gasLimit, fee: fee,
                                   publicKeyRange: publicKeyRange, payloadRange: payloadRange,
                                   signatureRange: signatureRange)
    }

    /// Parses `bytes` (an array or a slice of one) as exactly one envelope;
    /// ranges are relative to `bytes.startIndex`.
    public static func parse<C: Collection<UInt8>>(_ bytes: C, limits: EnvelopeLimits = .default)
        throws(EnvelopeError) -> TransactionEnvelope
    {
        let result: Result<TransactionEnvelope, EnvelopeError>? = bytes.withContiguousStorageIfAvailable { buffer in
            Result { () throws(EnvelopeError) in try parse(UnsafeRawBufferPointer(buffer), limits: limits) }
        }
        if let result { return try result.get() }
        let copied = Array(bytes).withUnsafeBytes { raw in
            Result { () throws(EnvelopeError) in try parse(raw, limits: limits) }
        }
        return try copied.get()
    }

    /// A bounds-checked cursor; every read first checks that the bytes exist.
    struct Reader {
        let bytes: UnsafeRawBufferPointer
        var offset = 0

        var remaining: Int { bytes.count - offset }

        mutating func skip(_ count: Int, _ field: EnvelopeField) throws(EnvelopeError) -> Range<Int> {
            guard count <= remaining else { throw .truncated(field, needed: count, available: remaining) }
            defer { offset += count }
            return offset..<(offset + count)
        }

        mutating func byte(_ field: EnvelopeField) throws(EnvelopeError) -> UInt8 {
            bytes[try skip(1, field).lowerBound]
        }

        mutating func uint64(_ field: EnvelopeField) throws(EnvelopeError) -> UInt64 {
            UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: try skip(8, field).lowerBound, as: UInt64.self))
        }

        mutating func uint32(_ field: EnvelopeField) throws(EnvelopeError) -> UInt32 {
            UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: try skip(4, field).lowerBound, as: UInt32.self))
        }
    }
}
