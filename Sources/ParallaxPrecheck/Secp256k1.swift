import CSecp256k1

/// secp256k1 ECDSA verification and public-key recovery through libsecp256k1,
/// for Ethereum-style senders.
///
/// Rule: the signature is the 64-byte compact `r || s` (big-endian), the message
/// is a 32-byte hash, the key is a 33-byte compressed or 65-byte uncompressed
/// SEC1 point. `s` must be in the lower half of the group order, as Ethereum
/// requires since EIP-2 (libsecp256k1 rejects high `s`); `r` or `s` of zero or
/// not below the order never verifies. Recovery takes Ethereum's 65-byte
/// `r || s || v` with the recovery id `v` in 0...3 (callers strip the 27 or
/// EIP-155 offset) and returns the 65-byte uncompressed key.
///
/// All calls use `secp256k1_context_static` (read through `px_secp256k1_context_static`), which libsecp256k1 documents as
/// sufficient for verification and recovery and which is immutable, so the
/// functions are thread-safe.
public enum Secp256k1 {
    /// Bytes of a compressed SEC 1 public key (the envelope's form).
    public static let compressedKeyLength = 33
    /// Bytes of an uncompressed SEC 1 public key.
    public static let uncompressedKeyLength = 65
    /// Bytes of a compact signature, `r || s`.
    public static let signatureLength = 64
    /// Bytes of a recoverable signature, `r || s || v`.
    public static let recoverableSignatureLength = 65
    /// Bytes of the hash a signature signs.
    public static let messageHashLength = 32

    /// `true` iff `signature` is a valid low-`s` signature of `messageHash` by `publicKey`.
    public static func verify(
        publicKey: UnsafeRawBufferPointer, signature: UnsafeRawBufferPointer, messageHash: UnsafeRawBufferPointer
    ) throws(SignatureError) -> Bool {
        guard publicKey.count == compressedKeyLength || publicKey.count == uncompressedKeyLength else {
            throw .publicKeyLength(expected: [compressedKeyLength, uncompressedKeyLength], actual: publicKey.count)
        }
        guard signature.count == signatureLength else {
            throw .signatureLength(expected: signatureLength, actual: signature.count)
        }
        try checkHash(messageHash)
        let context = px_secp256k1_context_static()!
        var key = secp256k1_pubkey()
        guard secp256k1_ec_pubkey_parse(context, &key, bytes(publicKey), publicKey.count) == 1 else {
            throw .publicKeyNotOnCurve
        }
        var parsed = secp256k1_ecdsa_signature()
        // Parsing fails only for r or s not below the group order: such a
        // signature is well-formed bytes that never verifies.
        guard secp256k1_ecdsa_signature_parse_compact(context, &parsed, bytes(signature)) == 1 else {
            return false
        }
        return secp256k1_ecdsa_verify(context, &parsed, bytes(messageHash), &key) == 1
    }

    /// `verify(publicKey:signature:messageHash:)` on arrays.
    public static func verify(publicKey: [UInt8], signature: [UInt8], messageHash: [UInt8]) throws(SignatureError) -> Bool {
        try withBuffers(publicKey, signature, messageHash) { (k, s, m) throws(SignatureError) in
            try verify(publicKey: k, signature: s, messageHash: m)
        }
    }

    /// The 65-byte uncompressed key that produced `signature` (`r || s || v`) over
    /// `messageHash`, or `nil` if no key did (r or s out of range, no such point).
    public static func recoverPublicKey(signature: [UInt8], messageHash: [UInt8]) throws(SignatureError) -> [UInt8]? {
        guard signature.count == recoverableSignatureLength else {
            throw .signatureLength(expected: recoverableSignatureLength, actual: signature.count)
        }
        let recoveryID = signature[64]
        guard recoveryID <= 3 else { throw .recoveryID(recoveryID) }
        return try withBuffers(signature, messageHash, []) { (s, m, _) throws(SignatureError) -> [UInt8]? in
            try checkHash(m)
            let context = px_secp256k1_context_static()!
            var parsed = secp256k1_ecdsa_recoverable_signature()
            guard secp256k1_ecdsa_recoverable_signature_parse_compact(context, &parsed, bytes(s), Int32(recoveryID)) == 1
            else { return nil }
            var key = secp256k1_pubkey()
            guard secp256k1_ecdsa_recover(context, &key, &parsed, bytes(m)) == 1 else { return nil }
            var out = [UInt8](repeating: 0, count: uncompressedKeyLength)
            var length = uncompressedKeyLength
            let ok = secp256k1_ec_pubkey_serialize(context, &out, &length, &key, UInt32(SECP256K1_EC_UNCOMPRESSED))
            precondition(ok == 1 && length == uncompressedKeyLength, "secp256k1_ec_pubkey_serialize failed")
            return out
        }
    }

    private static func checkHash(_ hash: UnsafeRawBufferPointer) throws(SignatureError) {
        guard hash.count == messageHashLength else {
            throw .messageHashLength(expected: messageHashLength, actual: hash.count)
        }
    }

    private static func bytes(_ buffer: UnsafeRawBufferPointer) -> UnsafePointer<UInt8> {
        buffer.baseAddress!.assumingMemoryBound(to: UInt8.self)
    }
}
