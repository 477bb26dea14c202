/// The signature scheme tag of a transaction envelope: it fixes the length of
/// the sender's public key and of the signature, and which verifier applies.
///
/// The tag is part of the signed bytes, so a signature made under one scheme
/// cannot be presented under another.
public enum SignatureScheme: UInt8, CaseIterable, Sendable, CustomStringConvertible {
    /// Ed25519 (RFC 8032): 32-byte public key, 64-byte signature R || S.
    case ed25519 = 1
    /// ECDSA over secp256k1 (SEC 2), as Ethereum senders sign: 33-byte
    /// compressed SEC 1 public key, 64-byte signature r || s (big-endian).
    case secp256k1 = 2

    /// Bytes of a public key under this scheme: 32 for Ed25519, 33 (compressed) for secp256k1.
    public var publicKeyLength: Int {
        switch self {
        case .ed25519: 32
        case .secp256k1: 33
        }
    }

    /// Bytes of a signature: 64 under both schemes.
    public var signatureLength: Int { 64 }

    public var description: String {
        switch self {
        case .ed25519: "ed25519"
        case .secp256k1: "secp256k1"
        }
    }
}

/// A sender's public key, its length checked against its scheme.
public struct PublicKey: Hashable, Sendable {
    /// The scheme the key belongs to.
    public let scheme: SignatureScheme
    /// The key's bytes, `scheme.publicKeyLength` of them.
    public let bytes: [UInt8]

    /// A key of `scheme`; throws `EnvelopeError.wrongLength` unless `bytes` has the scheme's key length.
    public init(scheme: SignatureScheme, bytes: some Collection<UInt8>) throws(EnvelopeError) {
        guard bytes.count == scheme.publicKeyLength else {
            throw .wrongLength(.publicKey, expected: scheme.publicKeyLength, actual: bytes.count)
        }
        self.scheme = scheme
        self.bytes = Array(bytes)
    }
}

/// A signature over a transaction hash, its length checked against its scheme.
public struct Signature: Hashable, Sendable {
    /// The scheme the signature was made under.
    public let scheme: SignatureScheme
    /// The signature's bytes, `scheme.signatureLength` of them.
    public let bytes: [UInt8]

    /// A signature of `scheme`; throws `EnvelopeError.wrongLength` unless `bytes` has the scheme's signature length.
    public init(scheme: SignatureScheme, bytes: some Collection<UInt8>) throws(EnvelopeError) {
        guard bytes.count == scheme.signatureLength else {
            throw .wrongLength(.signature, expected: scheme.signatureLength, actual: bytes.count)
        }
        self.scheme = scheme
        self.bytes = Array(bytes)
    }
}
