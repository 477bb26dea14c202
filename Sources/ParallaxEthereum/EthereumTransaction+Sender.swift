import CSecp256k1

/// Sender recovery (Yellow Paper, appendix F: ECDSARECOVER; EIP-2 low s;
/// EIP-155) and address derivation through libsecp256k1.
///
/// The sender is the address of the public key that `signature` recovers
/// over `signingHash`: the last 20 bytes of keccak256 of the 64-byte
/// uncompressed key (x || y, without the 0x04 prefix). r must be in
/// [1, n - 1] and s in [1, n / 2] (EIP-2, since Homestead; `allowHighS` is
/// for Frontier). libsecp256k1's recovery takes any s below n, so the
/// EIP-2 bound is checked here. Recovery and serialization run on
/// `secp256k1_context_static`; key generation needs a context of its own,
/// created once (libsecp256k1 documents a context as safe to share across
/// threads for every call that takes it const, which pubkey_create does).
extension EthereumTransaction {
    /// The address that signed this transaction.
    public func recoverSender(allowHighS: Bool = false) throws(SenderRecoveryError) -> Address {
        try Secp256k1Recovery.recover(
            hash: signingHash, yParity: signature.yParity, r: signature.r, s: signature.s, allowHighS: allowHighS)
    }
}

public enum SenderRecoveryError: Error, Equatable, Sendable, CustomStringConvertible {
    /// r is zero or not below the group order n.
    case rOutOfRange
    /// s is zero or not below the group order n.
    case sOutOfRange
    /// s above n / 2, which EIP-2 forbids.
    case highS
    /// yParity other than 0 or 1.
    case invalidRecoveryID(UInt8)
    /// No curve point has this r for this parity, or the key recovered is infinity.
    case noKeyRecovered

    public var description: String {
        switch self {
        case .rOutOfRange: "signature: r is zero or not below the secp256k1 order"
        case .sOutOfRange: "signature: s is zero or not below the secp256k1 order"
        case .highS: "signature: s above half the secp256k1 order (EIP-2)"
        case .invalidRecoveryID(let id): "signature: recovery id \(id), expected 0 or 1"
        case .noKeyRecovered: "signature: no public key recovers from it"
        }
    }
}

extension Address {
    /// The address of the secp256k1 private key `privateKey` (big-endian);
    /// nil when the key is zero or not below the group order.
    public init?(privateKey: Bytes32) {
        guard let context = Secp256k1Recovery.signingContext.pointer else { return nil }
        var secret = privateKey.bytes
        var key = secp256k1_pubkey()
        guard secp256k1_ec_pubkey_create(context, &key, &secret) == 1 else { return nil }
        guard let address = Secp256k1Recovery.address(of: &key) else { return nil }
        self = address
    }
}

enum Secp256k1Recovery {
    /// The group order n of secp256k1.
    static let order = UInt256(0xBFD2_5E8C_D036_4141, 0xBAAE_DCE6_AF48_A03B, 0xFFFF_FFFF_FFFF_FFFE, 0xFFFF_FFFF_FFFF_FFFF)
    /// floor(n / 2): the largest s EIP-2 accepts.
    static let halfOrder = UInt256(0xDFE9_2F46_681B_20A0, 0x5D57_6E73_57A4_501D, 0xFFFF_FFFF_FFFF_FFFF, 0x7FFF_FFFF_FFFF_FFFF)

    /// A context for secp256k1_ec_pubkey_create, which the static context
    /// cannot serve. Created once and never mutated, so shared freely.
    struct Context: @unchecked Sendable {
        let pointer: OpaquePointer?
    }

    static let signingContext = Context(pointer: secp256k1_context_create(UInt32(SECP256K1_CONTEXT_NONE)))

    static func recover(
        hash: Bytes32, yParity: UInt8, r: UInt256, s: UInt256, allowHighS: Bool
    ) throws(SenderRecoveryError) -> Address {
        guard !r.isZero, r < order else { throw .rOutOfRange }
        guard !s.isZero, s < order else { throw .sOutOfRange }
        guard allowHighS || s <= halfOrder else { throw .highS }
        guard yParity <= 1 else { throw .invalidRecoveryID(yParity) }
        // The static context always exists; libsecp256k1 defines it.
        let context = px_secp256k1_context_static()!
        var compact = r.bigEndianBytes + s.bigEndianBytes
        var message = hash.bytes
        var parsed = secp256k1_ecdsa_recoverable_signature()
        guard secp256k1_ecdsa_recoverable_signature_parse_compact(context, &parsed, &compact, Int32(yParity)) == 1 else {
            throw .noKeyRecovered
        }
        var key = secp256k1_pubkey()
        guard secp256k1_ecdsa_recover(context, &key, &parsed, &message) == 1 else { throw .noKeyRecovered }
        guard let address = address(of: &key) else { throw .noKeyRecovered }
        return address
    }

    /// The address of a public key: the low 20 bytes of keccak256(x || y).
    static func address(of key: inout secp256k1_pubkey) -> Address? {
        var serialized = [UInt8](repeating: 0, count: 65)
        var length = 65
        guard secp256k1_ec_pubkey_serialize(
            px_secp256k1_context_static()!, &serialized, &length, &key, UInt32(SECP256K1_EC_UNCOMPRESSED)) == 1,
            length == 65
        else { return nil }
        let digest = serialized.withUnsafeBytes { keccak256(UnsafeRawBufferPointer(rebasing: $0[1...])) }
        // Bytes 12..<20 of the digest: the low half of w1, then w2 and w3.
        return Address(hi: UInt32(truncatingIfNeeded: digest.w1), mid: digest.w2, lo: digest.w3)
    }
}
