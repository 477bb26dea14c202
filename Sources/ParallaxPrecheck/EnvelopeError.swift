/// The fields of a transaction envelope, in encoding order (docs/precheck.md).
public enum EnvelopeField: String, Sendable, CaseIterable {
    /// The version byte.
    case version
    /// The signature scheme tag.
    case signatureScheme = "signature scheme"
    /// The chain id.
    case chainID = "chain id"
    /// The sender's public key.
    case publicKey = "public key"
    /// The nonce.
    case nonce
    /// The gas limit.
    case gasLimit = "gas limit"
    /// The fee per unit of gas.
    case fee
    /// The payload length.
    case payloadLength = "payload length"
    /// The payload.
    case payload
    /// The signature.
    case signature
}

/// Why bytes are not a valid transaction envelope, or why envelope parts
/// cannot be built. Decoding reports the first problem in encoding order.
public enum EnvelopeError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The input ends inside `field`: it needs `needed` bytes at its offset
    /// and only `available` remain.
    case truncated(EnvelopeField, needed: Int, available: Int)
    /// The version byte is not one this decoder knows.
    case unsupportedVersion(UInt8)
    /// The signature scheme tag names no known scheme.
    case unknownSignatureScheme(UInt8)
    /// The declared payload length exceeds the limit (checked before any
    /// payload byte is read or reserved).
    case payloadTooLarge(declared: UInt32, limit: Int)
    /// The whole input is longer than the largest valid envelope.
    case oversized(byteCount: Int, limit: Int)
    /// Bytes follow the signature.
    case trailingBytes(count: Int)
    /// A key or signature given to an initializer has the wrong length for its scheme.
    case wrongLength(EnvelopeField, expected: Int, actual: Int)
    /// A key and a signature of different schemes were put together.
    case schemeMismatch(publicKey: SignatureScheme, signature: SignatureScheme)

    public var description: String {
        switch self {
        case .truncated(let field, let needed, let available):
            "truncated envelope: \(field.rawValue) needs \(needed) bytes, \(available) left"
        case .unsupportedVersion(let version): "unsupported envelope version \(version)"
        case .unknownSignatureScheme(let tag): "unknown signature scheme tag \(tag)"
        case .payloadTooLarge(let declared, let limit): "payload length \(declared) exceeds the limit \(limit)"
        case .oversized(let count, let limit): "envelope of \(count) bytes exceeds the largest valid size \(limit)"
        case .trailingBytes(let count): "\(count) bytes after the signature"
        case .wrongLength(let field, let expected, let actual):
            "\(field.rawValue) must be \(expected) bytes, not \(actual)"
        case .schemeMismatch(let key, let signature):
            "public key is \(key) but signature is \(signature)"
        }
    }
}
