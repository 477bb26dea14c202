import CParallaxCore
import CParallaxEd25519
import CSodium
import ParallaxPrecheck
import ParallaxTestSupport
import Testing

typealias SplitMix64 = SeededGenerator

func hex(_ s: String) -> [UInt8] {
    var out: [UInt8] = []
    var iterator = s.utf8.makeIterator()
    func nibble(_ c: UInt8) -> UInt8 {
        switch c {
        case 48...57: c - 48
        case 97...102: c - 87
        case 65...70: c - 55
        default: fatalError("not hex: \(c)")
        }
    }
    while let hi = iterator.next(), let lo = iterator.next() { out.append(nibble(hi) << 4 | nibble(lo)) }
    return out
}

/// A signature together with the inputs that produced it.
struct SignedMessage {
    var publicKey: [UInt8]
    var signature: [UInt8]
    var message: [UInt8]
}

enum SodiumTestHelpers {
    static func initialize() { precondition(sodium_init() >= 0) }

    /// A libsodium key pair from a 32-byte seed: (public key, 64-byte secret key).
    static func keyPair(seed: [UInt8]) -> ([UInt8], [UInt8]) {
        initialize()
        var pk = [UInt8](repeating: 0, count: 32), sk = [UInt8](repeating: 0, count: 64)
        precondition(crypto_sign_seed_keypair(&pk, &sk, seed) == 0)
        return (pk, sk)
    }

    static func sign(_ message: [UInt8], secretKey: [UInt8]) -> [UInt8] {
        var sig = [UInt8](repeating: 0, count: 64)
        precondition(crypto_sign_detached(&sig, nil, message, UInt64(message.count), secretKey) == 0)
        return sig
    }

    static func signedMessages(count: Int, rng: inout SplitMix64) -> [SignedMessage] {
        (0..<count).map { i in
            let (pk, sk) = keyPair(seed: rng.bytes(32))
            let message = rng.bytes(i % 97)
            return SignedMessage(publicKey: pk, signature: sign(message, secretKey: sk), message: message)
        }
    }

    static func libsodiumVerify(_ s: SignedMessage) -> Bool {
        crypto_sign_verify_detached(s.signature, s.message, UInt64(s.message.count), s.publicKey) == 0
    }

    // Scalar and point arithmetic used to build signatures under unusual keys.
    static func reduce64(_ wide: [UInt8]) -> [UInt8] {
        var r = [UInt8](repeating: 0, count: 32)
        crypto_core_ed25519_scalar_reduce(&r, wide)
        return r
    }
    static func scalarMul(_ a: [UInt8], _ b: [UInt8]) -> [UInt8] {
        var r = [UInt8](repeating: 0, count: 32)
        crypto_core_ed25519_scalar_mul(&r, a, b)
        return r
    }
    static func scalarAdd(_ a: [UInt8], _ b: [UInt8]) -> [UInt8] {
        var r = [UInt8](repeating: 0, count: 32)
        crypto_core_ed25519_scalar_add(&r, a, b)
        return r
    }
    static func randomScalar(_ rng: inout SplitMix64) -> [UInt8] { reduce64(rng.bytes(64)) }
    static func baseMul(_ n: [UInt8]) -> [UInt8] {
        var q = [UInt8](repeating: 0, count: 32)
        precondition(crypto_scalarmult_ed25519_base_noclamp(&q, n) == 0)
        return q
    }
    static func add(_ p: [UInt8], _ q: [UInt8]) -> [UInt8] {
        var r = [UInt8](repeating: 0, count: 32)
        precondition(crypto_core_ed25519_add(&r, p, q) == 0, "crypto_core_ed25519_add rejected its input")
        return r
    }
    /// h = SHA-512(R || A || M) mod L.
    static func challenge(r: [UInt8], a: [UInt8], message: [UInt8]) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: 64)
        let input = r + a + message
        crypto_hash_sha512(&digest, input, UInt64(input.count))
        return reduce64(digest)
    }
    /// A signature (R || S) with R = [r]B + rTorsion and S = r + h a, by the key
    /// aB + keyTorsion (the torsion points given as encodings, or nil).
    static func sign(message: [UInt8], a: [UInt8], keyTorsion: [UInt8]?, rTorsion: [UInt8]?, rng: inout SplitMix64)
        -> (SignedMessage, h: [UInt8])
    {
        var publicKey = baseMul(a)
        if let t = keyTorsion { publicKey = add(publicKey, t) }
        let r = randomScalar(&rng)
        var rPoint = baseMul(r)
        if let t = rTorsion { rPoint = add(rPoint, t) }
        let h = challenge(r: rPoint, a: publicKey, message: message)
        let s = scalarAdd(r, scalarMul(h, a))
        return (SignedMessage(publicKey: publicKey, signature: rPoint + s, message: message), h)
    }
}

extension Ed25519 {
    /// The public verdict, expecting the single verifier's portable and AVX2
    /// paths (where the CPU has AVX2) to give it too.
    static func verdict(_ s: SignedMessage) throws -> Verdict {
        let verdict = try verdict(publicKey: s.publicKey, signature: s.signature, message: s.message)
        if s.publicKey.count == 32 && s.signature.count == 64 {
            let portable = px_ed25519_verify_with(s.publicKey, s.signature, s.message, s.message.count, 0)
            let avx2 = px_ed25519_verify_with(s.publicKey, s.signature, s.message, s.message.count,
                                              px_cpu_features() & px_cpu_avx2.rawValue)
            #expect(Verdict(rawValue: UInt8(portable.rawValue)) == verdict, "single verifier, portable path")
            #expect(Verdict(rawValue: UInt8(avx2.rawValue)) == verdict, "single verifier, AVX2 path")
        }
        return verdict
    }
}

extension Ed25519BatchVerifier {
    /// Verdicts for `batch` through a fresh verifier with a seeded generator.
    static func verdicts(_ batch: some Collection<SignedMessage>, seed: UInt64, dispatch: Dispatch) throws
        -> [Ed25519.Verdict]
    {
        var verifier = Ed25519BatchVerifier(reservingCapacity: batch.count)
        for s in batch { try verifier.append(publicKey: s.publicKey, signature: s.signature, message: s.message) }
        var rng = SplitMix64(seed: seed)
        return Array(verifier.verify(using: &rng, dispatch: dispatch))
    }

    /// Verdicts for `batch` on the best path (IFMA, else AVX2, where the CPU
    /// has it), expecting the AVX2 path (where the CPU has AVX2) with its
    /// default method, with the bucket method forced on every group and with
    /// the Straus walk forced on groups of up to 1024, and the portable path
    /// to give the same ones, each with its own coefficients.
    ///
    /// Debug builds compile the C shim unoptimized (SwiftPM's -O0; a package
    /// others depend on by version cannot raise it with unsafe flags), where
    /// the AVX2 code is tens of times slower: there each batch takes best and
    /// portable plus one of the three AVX2 variants, in rotation by seed, so
    /// the suite still covers all three. `scripts/ed25519/run.sh test` (in
    /// `make test`) runs every path on every batch, optimized, under ASan/UBSan.
    static func verdicts(_ batch: some Collection<SignedMessage>, seed: UInt64) throws -> [Ed25519.Verdict] {
        let best = try verdicts(batch, seed: seed, dispatch: .best)
        let portable = try verdicts(batch, seed: seed ^ 0x9E37_79B9, dispatch: .portable)
        #expect(best == portable, "dispatch levels disagree (best, portable), seed \(seed)")
        #if DEBUG
        let variants = [Int(seed % 3)]
        #else
        let variants = [0, 1, 2]
        #endif
        for variant in variants {
            switch variant {
            case 0:
                let avx2 = try verdicts(batch, seed: seed ^ 0x5A5A_A5A5, dispatch: .avx2)
                #expect(avx2 == portable, "dispatch levels disagree (avx2, portable), seed \(seed)")
            case 1:
                let window = 4 + Int32(seed % 7)
                let buckets = tunedVerdicts(batch, seed: seed ^ 0x0B0C, maxChunk: 0, window: window)
                #expect(buckets == portable.map(Optional.some), "bucket method (window \(window)) and portable disagree, seed \(seed)")
            default:
                let straus = tunedVerdicts(batch, seed: seed ^ 0x57A5, maxChunk: Int(PX_ED25519_CHUNK_BUCKETS), window: 1)
                #expect(straus == portable.map(Optional.some), "AVX2 Straus walk and portable disagree, seed \(seed)")
            }
        }
        return best
    }

    /// Verdicts from `px_ed25519_verify_batch_tuned` on the AVX2 path (the
    /// portable one without AVX2), coefficients from a seeded generator.
    static func tunedVerdicts(_ batch: some Collection<SignedMessage>, seed: UInt64, maxChunk: Int, window: Int32)
        -> [Ed25519.Verdict?]
    {
        let n = batch.count
        var keys: [UInt8] = [], signatures: [UInt8] = [], messages: [UInt8] = [], offsets = [0]
        for s in batch {
            keys += s.publicKey; signatures += s.signature; messages += s.message
            offsets.append(messages.count)
        }
        var rng = SplitMix64(seed: seed)
        let coefficientSeed = rng.bytes(32)
        var codes = [UInt8](repeating: 0xFF, count: n)
        let rc = px_ed25519_verify_batch_tuned(
            n, keys, signatures, messages, offsets, coefficientSeed, &codes,
            px_cpu_features() & px_cpu_avx2.rawValue, maxChunk, window)
        #expect(rc == 0, "px_ed25519_verify_batch_tuned failed, seed \(seed)")
        return codes.map { Ed25519.Verdict(rawValue: $0) }  // nil: a code that is no verdict
    }
}

/// The group order L, little-endian.
let groupOrder: [UInt8] = hex("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010")

/// a + b as 256-bit little-endian integers (no reduction).
func addLittleEndian(_ a: [UInt8], _ b: [UInt8]) -> [UInt8] {
    var out = [UInt8](repeating: 0, count: 32)
    var carry = 0
    for i in 0..<32 {
        let t = Int(a[i]) + Int(b[i]) + carry
        out[i] = UInt8(t & 0xff)
        carry = t >> 8
    }
    precondition(carry == 0)
    return out
}
