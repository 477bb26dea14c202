import CParallaxEd25519
import CSodium

/// Ed25519 signature verification (RFC 8032) under one acceptance rule shared by
/// `Ed25519.verdict`, `Ed25519.verify` and `Ed25519BatchVerifier`.
///
/// The rule: a signature `R || S` by key `A` on message `M` is valid iff
/// 1. `S < L` (the group order), read little-endian;
/// 2. `A` and `R` are canonical encodings (y < p), are not one of the eight
///    small-order points (whatever the sign bit), and decode to curve points;
/// 3. `[8]([S]B - R - [h]A) = 0` with `h = SHA-512(R || A || M) mod L`: the
///    *cofactored* equation (RFC 8032 §5.1.7, as ZIP-215 uses it).
///
/// Checks 1 and 2 are libsodium 1.0.18's. libsodium checks the cofactorless
/// `[S]B - [h]A = R` instead, so the two differ exactly when `A` or `R` has a
/// small-order component (mixed order) and `[S]B - R - [h]A` is a nonzero
/// small-order point: libsodium rejects, this rule accepts. On every other input
/// they agree. The cofactored rule is what makes batch verification exact: each
/// `[8](...)` term lies in the prime-order subgroup, so random coefficients can
/// neither cancel a torsion residue nor create one, and a batch's verdicts never
/// depend on its composition or on the coefficients (up to a 2^-127 chance per
/// check of accepting a group that holds an invalid signature).
public enum Ed25519 {
    /// Bytes of a public key.
    public static let publicKeyLength = 32
    /// Bytes of a signature, `R || S`.
    public static let signatureLength = 64

    /// The outcome of verifying one signature; every other case names the first
    /// check that failed. The structural checks run in the order of their cases
    /// (`sNotReduced` first), the equation (`equationFails`) last.
    public enum Verdict: UInt8, Sendable, Hashable, CustomStringConvertible {
        /// Passed every check.
        case valid = 0
        /// Well-formed, but `[8]([S]B - R - [h]A) != 0`.
        case equationFails = 1
        /// `S` is not below the group order `L`.
        case sNotReduced = 2
        /// The public key's encoding is not canonical (y ≥ p).
        case keyNotCanonical = 3
        /// The public key is one of the eight small-order points.
        case keySmallOrder = 4
        /// `R`'s encoding is not canonical (y ≥ p).
        case rNotCanonical = 5
        /// `R` is one of the eight small-order points.
        case rSmallOrder = 6
        /// The public key does not decode to a curve point.
        case keyNotOnCurve = 7
        /// `R` does not decode to a curve point.
        case rNotOnCurve = 8

        /// Whether the signature is valid.
        public var isValid: Bool { self == .valid }

        public var description: String {
            switch self {
            case .valid: "valid"
            case .equationFails: "signature equation fails"
            case .sNotReduced: "S is not below the group order"
            case .keyNotCanonical: "public key encoding is not canonical"
            case .keySmallOrder: "public key is a small-order point"
            case .keyNotOnCurve: "public key is not a curve point"
            case .rNotCanonical: "R encoding is not canonical"
            case .rSmallOrder: "R is a small-order point"
            case .rNotOnCurve: "R is not a curve point"
            }
        }

        init(code: UInt8) {
            // The C verifier writes only the codes of px_ed25519_verdict.
            guard let verdict = Verdict(rawValue: code) else {
                preconditionFailure("unknown px_ed25519 verdict \(code)")
            }
            self = verdict
        }
    }

    /// Verifies one signature with our own verifier (the rule above).
    public static func verdict(
        publicKey: UnsafeRawBufferPointer, signature: UnsafeRawBufferPointer, message: UnsafeRawBufferPointer
    ) throws(SignatureError) -> Verdict {
        try checkLengths(publicKey: publicKey.count, signature: signature.count)
        let code = px_ed25519_verify(
            publicKey.baseAddress!.assumingMemoryBound(to: UInt8.self),
            signature.baseAddress!.assumingMemoryBound(to: UInt8.self),
            message.baseAddress?.assumingMemoryBound(to: UInt8.self), message.count)
        return Verdict(code: UInt8(code.rawValue))
    }

    /// `verdict(publicKey:signature:message:)` on arrays; throws when a length is wrong.
    public static func verdict(publicKey: [UInt8], signature: [UInt8], message: [UInt8]) throws(SignatureError) -> Verdict {
        try withBuffers(publicKey, signature, message) { (k, s, m) throws(SignatureError) in
            try verdict(publicKey: k, signature: s, message: m)
        }
    }

    /// `true` iff `verdict(...)` is `.valid`.
    public static func verify(publicKey: [UInt8], signature: [UInt8], message: [UInt8]) throws(SignatureError) -> Bool {
        try verdict(publicKey: publicKey, signature: signature, message: message).isValid
    }

    /// libsodium's `crypto_sign_verify_detached`: the reference (cofactorless) verifier.
    public static func libsodiumVerify(
        publicKey: UnsafeRawBufferPointer, signature: UnsafeRawBufferPointer, message: UnsafeRawBufferPointer
    ) throws(SignatureError) -> Bool {
        try checkLengths(publicKey: publicKey.count, signature: signature.count)
        Sodium.initialize()
        return crypto_sign_verify_detached(
            signature.baseAddress!.assumingMemoryBound(to: UInt8.self),
            message.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt64(message.count),
            publicKey.baseAddress!.assumingMemoryBound(to: UInt8.self)) == 0
    }

    /// `libsodiumVerify(publicKey:signature:message:)` on arrays.
    public static func libsodiumVerify(publicKey: [UInt8], signature: [UInt8], message: [UInt8]) throws(SignatureError) -> Bool {
        try withBuffers(publicKey, signature, message) { (k, s, m) throws(SignatureError) in
            try libsodiumVerify(publicKey: k, signature: s, message: m)
        }
    }

    static func checkLengths(publicKey: Int, signature: Int) throws(SignatureError) {
        guard publicKey == publicKeyLength else {
            throw .publicKeyLength(expected: [publicKeyLength], actual: publicKey)
        }
        guard signature == signatureLength else {
            throw .signatureLength(expected: signatureLength, actual: signature)
        }
    }
}

/// Three arrays as raw buffers at once; the closure's error type passes through.
func withBuffers<R>(
    _ a: [UInt8], _ b: [UInt8], _ c: [UInt8],
    _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws(SignatureError) -> R
) throws(SignatureError) -> R {
    let result: Result<R, SignatureError> = a.withUnsafeBytes { ra in
        b.withUnsafeBytes { rb in
            c.withUnsafeBytes { rc in
                do throws(SignatureError) { return .success(try body(ra, rb, rc)) } catch { return .failure(error) }
            }
        }
    }
    return try result.get()
}

/// libsodium must be initialised once before use (it picks implementations and
/// seeds its generator); `sodium_init` is idempotent and thread-safe.
enum Sodium {
    static func initialize() {
        let rc = sodium_init()
        precondition(rc >= 0, "sodium_init failed")
    }
}
