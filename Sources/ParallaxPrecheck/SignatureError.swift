/// Why a key, signature or message could not even be submitted for verification.
///
/// A well-formed signature that does not verify is not an error: it is a
/// verdict (`Ed25519.Verdict`, `false` from `Secp256k1.verify`). Errors are for
/// inputs of the wrong shape, which a decoder should have rejected earlier.
public enum SignatureError: Error, Equatable, Sendable {
    /// A public key had `actual` bytes; the scheme takes one of `expected`.
    case publicKeyLength(expected: [Int], actual: Int)
    /// A signature had `actual` bytes where the scheme takes `expected`.
    case signatureLength(expected: Int, actual: Int)
    /// A message hash had `actual` bytes; secp256k1 ECDSA signs 32-byte hashes.
    case messageHashLength(expected: Int, actual: Int)
    /// The secp256k1 public key bytes do not encode a curve point.
    case publicKeyNotOnCurve
    /// A recoverable secp256k1 signature's recovery id (last byte) was not 0...3.
    case recoveryID(UInt8)
}

extension SignatureError: CustomStringConvertible {
    public var description: String {
        switch self {
        case let .publicKeyLength(expected, actual):
            "public key has \(actual) bytes, expected \(expected.map(String.init).joined(separator: " or "))"
        case let .signatureLength(expected, actual):
            "signature has \(actual) bytes, expected \(expected)"
        case let .messageHashLength(expected, actual):
            "message hash has \(actual) bytes, expected \(expected)"
        case .publicKeyNotOnCurve:
            "public key is not a point on secp256k1"
        case let .recoveryID(id):
            "recovery id \(id) is not in 0...3"
        }
    }
}
