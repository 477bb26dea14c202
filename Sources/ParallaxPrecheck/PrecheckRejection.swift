/// Why the precheck stage refused a transaction. A refused transaction never
/// executes; the block's output reports it with this reason.
///
/// The stage reports the first failing check in this order: decoding
/// (`malformed`), the rules in `PrecheckRules` order (`wrongChainID`,
/// `gasLimitOutOfRange`, `feeBelowMinimum`), then the signature
/// (`badSignature`). The reason depends only on the transaction's bytes and
/// the rules, never on its neighbours or on how the block was split among
/// workers.
public enum PrecheckRejection: Error, Equatable, Sendable, CustomStringConvertible {
    /// The bytes are not a valid envelope.
    case malformed(EnvelopeError)
    /// The transaction is signed for another chain.
    case wrongChainID(expected: ChainID, found: ChainID)
    /// The gas limit lies outside the accepted range.
    case gasLimitOutOfRange(GasLimit, allowed: ClosedRange<GasLimit>)
    /// The fee per unit of gas is below the minimum.
    case feeBelowMinimum(Fee, minimum: Fee)
    /// The signature does not verify under the sender's key.
    case badSignature(SignatureFailure)

    public var description: String {
        switch self {
        case .malformed(let error): "malformed: \(error)"
        case .wrongChainID(let expected, let found): "wrong chain id: expected \(expected.rawValue), found \(found.rawValue)"
        case .gasLimitOutOfRange(let limit, let allowed):
            "gas limit \(limit.rawValue) outside \(allowed.lowerBound.rawValue)...\(allowed.upperBound.rawValue)"
        case .feeBelowMinimum(let fee, let minimum): "fee \(fee.rawValue) below the minimum \(minimum.rawValue)"
        case .badSignature(let failure): "bad signature: \(failure)"
        }
    }
}

/// Why a well-formed signature was refused.
public enum SignatureFailure: Hashable, Sendable, CustomStringConvertible {
    /// Ed25519 under the rule of `Ed25519`; the verdict is never `.valid`.
    case ed25519(Ed25519.Verdict)
    /// The secp256k1 ECDSA signature (low `s`, `r`/`s` in range) does not verify.
    case secp256k1Invalid
    /// The 33 sender-key bytes are not a compressed secp256k1 point.
    case secp256k1KeyNotOnCurve

    public var description: String {
        switch self {
        case .ed25519(let verdict): "ed25519: \(verdict)"
        case .secp256k1Invalid: "secp256k1: signature does not verify"
        case .secp256k1KeyNotOnCurve: "secp256k1: public key is not a curve point"
        }
    }
}
