import CParallaxEd25519
import ParallaxPrecheck
import Testing

/// RFC 8032 §7.1 test vectors: libsodium must reproduce key and signature from
/// the secret seed (which checks the transcription), and both verifiers accept.
@Suite struct Ed25519VectorTests {
    struct Vector {
        let seed, publicKey, message, signature: String
    }

    static let vectors: [Vector] = [
        Vector(
            seed: "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
            publicKey: "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
            message: "",
            signature: "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"),
        Vector(
            seed: "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
            publicKey: "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
            message: "72",
            signature: "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"),
        Vector(
            seed: "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
            publicKey: "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
            message: "af82",
            signature: "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"),
    ]

    @Test(arguments: vectors.indices)
    func rfc8032Vector(index: Int) throws {
        let v = Self.vectors[index]
        let (pk, sk) = SodiumTestHelpers.keyPair(seed: hex(v.seed))
        #expect(pk == hex(v.publicKey), "vector \(index): public key")
        #expect(SodiumTestHelpers.sign(hex(v.message), secretKey: sk) == hex(v.signature), "vector \(index): signature")
        let s = SignedMessage(publicKey: hex(v.publicKey), signature: hex(v.signature), message: hex(v.message))
        #expect(try Ed25519.verdict(s) == .valid)
        #expect(try Ed25519.libsodiumVerify(publicKey: s.publicKey, signature: s.signature, message: s.message))
        #expect(try Ed25519BatchVerifier.verdicts([s], seed: 1) == [.valid])
        // Any one flipped bit of the signature or message invalidates it.
        for bit in stride(from: 0, to: 512, by: 37) {
            var bad = s
            bad.signature[bit / 8] ^= 1 << (bit % 8)
            #expect(try Ed25519.verdict(bad) != .valid, "vector \(index), signature bit \(bit)")
        }
        if !s.message.isEmpty {
            var bad = s
            bad.message[0] ^= 1
            #expect(try Ed25519.verdict(bad) == .equationFails)
        }
    }

    @Test func wrongLengthsAreTypedErrors() {
        let key = [UInt8](repeating: 1, count: 32), sig = [UInt8](repeating: 0, count: 64)
        #expect(throws: SignatureError.publicKeyLength(expected: [32], actual: 31)) {
            try Ed25519.verify(publicKey: Array(key.dropLast()), signature: sig, message: [])
        }
        #expect(throws: SignatureError.signatureLength(expected: 64, actual: 65)) {
            try Ed25519.verify(publicKey: key, signature: sig + [0], message: [])
        }
        var verifier = Ed25519BatchVerifier()
        #expect(throws: SignatureError.signatureLength(expected: 64, actual: 0)) {
            try verifier.append(publicKey: key, signature: [], message: [1, 2])
        }
        #expect(verifier.count == 0)
    }

    /// The eight small-order points: distinct, [8]P = 0 shown by libsodium's
    /// rejection of each as a key, and our verdicts name them.
    @Test func smallOrderPointsAreTheBlacklist() throws {
        var points: [[UInt8]] = []
        for k in 0..<8 {
            var out = [UInt8](repeating: 0, count: 32)
            px_ed25519_small_order_point(UInt32(k), &out)
            points.append(out)
        }
        #expect(Set(points.map { $0.description }).count == 8)
        // The identity, and the order-2 point (0, -1).
        #expect(points[0] == hex("0100000000000000000000000000000000000000000000000000000000000000"))
        #expect(points[4] == hex("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"))
    }
}
