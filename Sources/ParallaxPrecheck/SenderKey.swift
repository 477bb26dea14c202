import CParallaxHash

/// A sender's public key held inline (no heap storage), so a verified
/// transaction carries its sender without an allocation.
///
/// The key bytes (32 for Ed25519, 33 for a compressed secp256k1 key) sit at the
/// start of five words in order; the bytes past the key are zero, so equality
/// and hashing may read all five words. `PublicKey` is the same value with its
/// bytes in an array.
public struct SenderKey: Hashable, Sendable, CustomStringConvertible {
    /// The key's signature scheme.
    public let scheme: SignatureScheme
    private var storage: (UInt64, UInt64, UInt64, UInt64, UInt64)

    static let capacity = 40

    /// The key of `scheme` in `bytes`.
    /// - Precondition: `bytes.count == scheme.publicKeyLength` (the decoder
    ///   sliced it from a validated envelope).
    init(scheme: SignatureScheme, bytes: UnsafeRawBufferPointer) {
        precondition(bytes.count == scheme.publicKeyLength && bytes.count <= Self.capacity,
                     "SenderKey: \(bytes.count) bytes for a \(scheme) key")
        self.scheme = scheme
        storage = (0, 0, 0, 0, 0)
        Swift.withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: bytes) }
    }

    /// The inline form of `key`.
    public init(_ key: PublicKey) {
        self = key.bytes.withUnsafeBytes { SenderKey(scheme: key.scheme, bytes: $0) }
    }

    /// Calls `body` with the key bytes.
    public func withUnsafeBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        var copy = storage
        let length = scheme.publicKeyLength
        return try Swift.withUnsafeBytes(of: &copy) { raw throws(E) in
            try body(UnsafeRawBufferPointer(rebasing: raw[0..<length]))
        }
    }

    /// The key bytes as an array.
    public var bytes: [UInt8] { withUnsafeBytes { Array($0) } }

    /// The same key as a `PublicKey`.
    public var publicKey: PublicKey {
        // The length matches the scheme by construction.
        do { return try PublicKey(scheme: scheme, bytes: bytes) } catch { preconditionFailure("\(error)") }
    }

    public var description: String { "\(scheme):\(withUnsafeBytes { Hex.encode($0) })" }

    /// SHA-256 of `domain` (8 bytes, little-endian) followed by the key
    /// bytes: a fixed-size identity of the signer within the caller's domain
    /// (the pipeline keys a sender's nonce by it). At most 41 bytes, so one
    /// compression and no allocation. The key's length (32 or 33 bytes)
    /// tells the schemes apart, so no two keys share an input.
    public func sha256(domain: UInt64) -> Digest32 {
        var message = (domain.littleEndian, storage.0, storage.1, storage.2, storage.3, storage.4)
        var length = 8 + scheme.publicKeyLength
        var digest = Digest32.zero
        Swift.withUnsafeBytes(of: &message) { raw in
            var start: UnsafePointer<UInt8>? = raw.baseAddress?.assumingMemoryBound(to: UInt8.self)
            Swift.withUnsafeMutableBytes(of: &digest.storage) { out in
                out.withMemoryRebound(to: DigestRow.self) { px_sha256_batch(&start, &length, 1, $0.baseAddress) }
            }
        }
        return digest
    }

    public static func == (lhs: SenderKey, rhs: SenderKey) -> Bool {
        lhs.scheme == rhs.scheme && lhs.storage.0 == rhs.storage.0 && lhs.storage.1 == rhs.storage.1
            && lhs.storage.2 == rhs.storage.2 && lhs.storage.3 == rhs.storage.3 && lhs.storage.4 == rhs.storage.4
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(scheme)
        hasher.combine(storage.0)
        hasher.combine(storage.1)
        hasher.combine(storage.2)
        hasher.combine(storage.3)
        hasher.combine(storage.4)
    }
}
