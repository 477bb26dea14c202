import CSecp256k1
import CSodium
import ParallaxPrecheck
import Testing

/// secp256k1 ECDSA through libsecp256k1: published vectors, round trips,
/// high-S rejection, recovery, and typed errors.
@Suite struct Secp256k1Tests {
    /// A signing context for building test signatures (verification needs none).
    final class Signer: @unchecked Sendable {
        let context = secp256k1_context_create(UInt32(SECP256K1_CONTEXT_NONE))!
        deinit { secp256k1_context_destroy(context) }

        func publicKey(secret: [UInt8], compressed: Bool) -> [UInt8] {
            var key = secp256k1_pubkey()
            precondition(secp256k1_ec_pubkey_create(context, &key, secret) == 1)
            var out = [UInt8](repeating: 0, count: compressed ? 33 : 65)
            var length = out.count
            let flags = compressed ? SECP256K1_EC_COMPRESSED : SECP256K1_EC_UNCOMPRESSED
            precondition(secp256k1_ec_pubkey_serialize(context, &out, &length, &key, UInt32(flags)) == 1)
            return out
        }

        /// RFC 6979 deterministic, low-S: compact r || s and the recovery id.
        func sign(hash: [UInt8], secret: [UInt8]) -> ([UInt8], UInt8) {
            var sig = secp256k1_ecdsa_recoverable_signature()
            precondition(secp256k1_ecdsa_sign_recoverable(context, &sig, hash, secret, nil, nil) == 1)
            var out = [UInt8](repeating: 0, count: 64)
            var recid: Int32 = 0
            precondition(secp256k1_ecdsa_recoverable_signature_serialize_compact(context, &out, &recid, &sig) == 1)
            return (out, UInt8(recid))
        }
    }

    static let order = hex("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141")

    static func sha256(_ bytes: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        crypto_hash_sha256(&out, bytes, UInt64(bytes.count))
        return out
    }

    /// n - s, big-endian.
    static func negate(_ s: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        var borrow = 0
        for i in (0..<32).reversed() {
            var t = Int(order[i]) - Int(s[i]) - borrow
            borrow = t < 0 ? 1 : 0
            if t < 0 { t += 256 }
            out[i] = UInt8(t)
        }
        return out
    }

    /// Private key 1 signing SHA-256("Satoshi Nakamoto") with RFC 6979 nonces:
    /// the vector published with bitcoinjs and trezor-crypto.
    @Test func satoshiNakamotoVector() throws {
        let signer = Signer()
        var secret = [UInt8](repeating: 0, count: 32)
        secret[31] = 1
        let hash = Self.sha256(Array("Satoshi Nakamoto".utf8))
        #expect(hash == hex("a0dc65ffca799873cbea0ac274015b9526505daaaed385155425f7337704883e"))
        let expected = hex("934b1ea10a4b3c1757e2b0c017d0b6143ce3c9a7e6a4a49860d7a6ab210ee3d8"
            + "2442ce9d2b916064108014783e923ec36b49743e2ffa1c4496f01a512aafd9e5")
        let (sig, _) = signer.sign(hash: hash, secret: secret)
        #expect(sig == expected)
        let g = hex("0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798")
        #expect(signer.publicKey(secret: secret, compressed: true) == g)
        #expect(try Secp256k1.verify(publicKey: g, signature: expected, messageHash: hash))
        #expect(try !Secp256k1.verify(publicKey: g, signature: expected, messageHash: Self.sha256(Array("Satoshi".utf8))))
    }

    /// The EIP-155 example transaction: key 0x46..46, chain id 1, v = 37.
    @Test func eip155ExampleRecoversTheSender() throws {
        let signer = Signer()
        let secret = [UInt8](repeating: 0x46, count: 32)
        let hash = hex("daf5a779ae972f972197303d7b574746c7ef83eadac0f2791ad23db92e4c8e53")
        let r = hex("28ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276")
        let s = hex("67cbe9d8997f761aecb703304b3800ccf555c9f3dc64214b297fb1966a3b6d83")
        let recoveryID = UInt8(37 - 35 - 2 * 1)
        let uncompressed = signer.publicKey(secret: secret, compressed: false)
        #expect(try Secp256k1.recoverPublicKey(signature: r + s + [recoveryID], messageHash: hash) == uncompressed)
        #expect(try Secp256k1.verify(publicKey: uncompressed, signature: r + s, messageHash: hash))
        #expect(try Secp256k1.verify(publicKey: signer.publicKey(secret: secret, compressed: true), signature: r + s, messageHash: hash))
        // The other recovery id gives another key (or none), never the sender.
        #expect(try Secp256k1.recoverPublicKey(signature: r + s + [1], messageHash: hash) != uncompressed)
    }

    @Test func randomRoundTripsAndHighS() throws {
        let seed: UInt64 = 0x5EC9_256B_0001
        var rng = SplitMix64(seed: seed)
        let signer = Signer()
        for round in 0..<64 {
            var secret = rng.bytes(32)
            secret[0] &= 0x7f  // below the order
            let hash = rng.bytes(32)
            let (sig, recid) = signer.sign(hash: hash, secret: secret)
            let compressed = signer.publicKey(secret: secret, compressed: true)
            let uncompressed = signer.publicKey(secret: secret, compressed: false)
            #expect(try Secp256k1.verify(publicKey: compressed, signature: sig, messageHash: hash), "seed \(seed) round \(round)")
            #expect(try Secp256k1.verify(publicKey: uncompressed, signature: sig, messageHash: hash), "seed \(seed) round \(round)")
            #expect(try Secp256k1.recoverPublicKey(signature: sig + [recid], messageHash: hash) == uncompressed)
            // The high-S twin (r, n - s) is the same ECDSA signature, refused as Ethereum does.
            let highS = Array(sig[0..<32]) + Self.negate(Array(sig[32..<64]))
            #expect(try !Secp256k1.verify(publicKey: compressed, signature: highS, messageHash: hash), "seed \(seed) round \(round)")
            var flipped = sig
            flipped[Int(rng.next() % 64)] ^= 1 << UInt8(rng.next() % 8)
            #expect(try !Secp256k1.verify(publicKey: compressed, signature: flipped, messageHash: hash), "seed \(seed) round \(round)")
        }
    }

    @Test func malformedInputs() throws {
        let hash = [UInt8](repeating: 7, count: 32), sig = [UInt8](repeating: 1, count: 64)
        #expect(throws: SignatureError.publicKeyLength(expected: [33, 65], actual: 32)) {
            try Secp256k1.verify(publicKey: [UInt8](repeating: 2, count: 32), signature: sig, messageHash: hash)
        }
        #expect(throws: SignatureError.signatureLength(expected: 64, actual: 65)) {
            try Secp256k1.verify(publicKey: [2] + hash, signature: sig + [0], messageHash: hash)
        }
        #expect(throws: SignatureError.messageHashLength(expected: 32, actual: 31)) {
            try Secp256k1.verify(publicKey: [2] + hash, signature: sig, messageHash: Array(hash.dropLast()))
        }
        // x = 5 has no point on secp256k1 (5^3 + 7 = 132 is a non-residue mod p).
        var notOnCurve = [UInt8](repeating: 0, count: 33)
        notOnCurve[0] = 2
        notOnCurve[32] = 5
        #expect(throws: SignatureError.publicKeyNotOnCurve) {
            try Secp256k1.verify(publicKey: notOnCurve, signature: sig, messageHash: hash)
        }
        #expect(throws: SignatureError.recoveryID(27)) {
            try Secp256k1.recoverPublicKey(signature: sig + [27], messageHash: hash)
        }
        // r = s = 0 parses but never verifies; r >= n does not parse: both false.
        let g = hex("0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798")
        #expect(try !Secp256k1.verify(publicKey: g, signature: [UInt8](repeating: 0, count: 64), messageHash: hash))
        #expect(try !Secp256k1.verify(publicKey: g, signature: [UInt8](repeating: 0xff, count: 64), messageHash: hash))
    }
}
