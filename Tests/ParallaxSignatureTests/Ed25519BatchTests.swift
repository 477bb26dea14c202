import CParallaxEd25519
import ParallaxPrecheck
import Testing

/// Batch verification against single verification and libsodium.
///
/// Every test is seeded; the seed is in each expectation's message.
@Suite struct Ed25519BatchTests {
    static let seed: UInt64 = 0x5EED_ED25_5190_0001
    static let pool: [SignedMessage] = {
        var rng = SplitMix64(seed: seed)
        return SodiumTestHelpers.signedMessages(count: 300, rng: &rng)
    }()

    /// Ways to spoil a signature; each yields a known verdict.
    static func corrupt(_ s: SignedMessage, way: Int) -> (SignedMessage, Ed25519.Verdict) {
        var bad = s
        switch way % 5 {
        case 0: bad.message.append(0x55); return (bad, .equationFails)
        case 1: bad.signature[40] ^= 0x10; return (bad, .equationFails) // S changes, stays < L
        case 2:  // S + L: the malleated twin
            bad.signature.replaceSubrange(32..<64, with: addLittleEndian(Array(s.signature[32..<64]), groupOrder))
            return (bad, .sNotReduced)
        case 3: bad.publicKey = pool[(pool.count - 1)].publicKey == s.publicKey ? pool[0].publicKey : pool[pool.count - 1].publicKey
            return (bad, .equationFails)
        default:  // R replaced by another curve point
            bad.signature.replaceSubrange(0..<32, with: pool[7].publicKey == s.publicKey ? pool[8].publicKey : pool[7].publicKey)
            return (bad, .equationFails)
        }
    }

    @Test func poolIsValidEverywhere() throws {
        for (i, s) in Self.pool.enumerated() {
            #expect(try Ed25519.verdict(s) == .valid, "seed \(Self.seed) entry \(i)")
            #expect(SodiumTestHelpers.libsodiumVerify(s), "seed \(Self.seed) entry \(i)")
        }
    }

    @Test func allValidBatchesOfEverySize() throws {
        let sizes = Array(1...70) + [95, 127, 128, 129, 150, 191, 192, 193, 255, 256, 257, 299, 300]
        for n in sizes {
            let verdicts = try Ed25519BatchVerifier.verdicts(Self.pool[0..<n], seed: Self.seed &+ UInt64(n))
            #expect(verdicts.count == n)
            #expect(verdicts.allSatisfy { $0 == .valid }, "seed \(Self.seed) size \(n)")
        }
    }

    @Test(arguments: [1, 2, 3, 64, 65, 70])
    func oneBadSignatureAtEveryPosition(size: Int) throws {
        // Debug builds run the C shim unoptimized: there every third position
        // of the large batches (and the last); release builds and
        // `make test-ed25519` (optimized C, every path) take every position.
        #if DEBUG
        let positions = size > 8 ? Array(stride(from: 0, to: size, by: 3)) + [size - 1] : Array(0..<size)
        #else
        let positions = Array(0..<size)
        #endif
        for position in positions {
            var batch = Array(Self.pool[0..<size])
            let (bad, expected) = Self.corrupt(batch[position], way: position)
            batch[position] = bad
            #expect(try Ed25519.verdict(bad) == expected, "position \(position)")
            #expect(!SodiumTestHelpers.libsodiumVerify(bad), "position \(position)")
            let verdicts = try Ed25519BatchVerifier.verdicts(batch, seed: Self.seed &+ UInt64(position))
            for (i, v) in verdicts.enumerated() {
                #expect(v == (i == position ? expected : .valid), "seed \(Self.seed) size \(size) bad \(position) entry \(i)")
            }
        }
    }

    @Test func manyBadMatchSingleAndLibsodium() throws {
        var rng = SplitMix64(seed: Self.seed ^ 0xBAD)
        for round in 0..<6 {
            let size = [17, 64, 100, 200, 255, 300][round]
            let badFraction = [2, 3, 10, 50, 90, 100][round]
            var batch = Array(Self.pool.shuffled(using: &rng)[0..<size])
            for i in batch.indices where Int(rng.next() % 100) < badFraction {
                batch[i] = Self.corrupt(batch[i], way: Int(rng.next() % 5)).0
            }
            let verdicts = try Ed25519BatchVerifier.verdicts(batch, seed: rng.next())
            for (i, s) in batch.enumerated() {
                #expect(verdicts[i] == (try Ed25519.verdict(s)), "seed \(Self.seed) round \(round) entry \(i)")
                #expect(verdicts[i].isValid == SodiumTestHelpers.libsodiumVerify(s), "seed \(Self.seed) round \(round) entry \(i)")
            }
        }
    }

    @Test func verdictsDoNotDependOnCoefficients() throws {
        var batch = Array(Self.pool[0..<64])
        for i in stride(from: 3, to: 64, by: 9) { batch[i] = Self.corrupt(batch[i], way: i).0 }
        let reference = try Ed25519BatchVerifier.verdicts(batch, seed: 1)
        for seed in 2..<6 as Range<UInt64> {
            #expect(try Ed25519BatchVerifier.verdicts(batch, seed: seed) == reference, "coefficient seed \(seed)")
        }
        var verifier = Ed25519BatchVerifier()
        for s in batch { try verifier.append(publicKey: s.publicKey, signature: s.signature, message: s.message) }
        #expect(Array(verifier.verify()) == reference, "system-random coefficients")
        verifier.removeAll()
        #expect(verifier.count == 0)
        #expect(verifier.verify().isEmpty)
    }

    /// Encodings with y >= p (p + k for k in 0..<19, either sign bit) as key or R.
    @Test func nonCanonicalEncodingsAreRejected() throws {
        let good = Self.pool[5]
        for k in 0..<19 {
            for sign in [UInt8(0), 0x80] {
                var enc = hex("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")
                enc[0] &+= UInt8(k)
                enc[31] = 0x7f | sign
                var asKey = good
                asKey.publicKey = enc
                var asR = good
                asR.signature.replaceSubrange(0..<32, with: enc)
                #expect(try Ed25519.verdict(asKey) == .keyNotCanonical, "k \(k) sign \(sign)")
                #expect(try Ed25519.verdict(asR) == .rNotCanonical, "k \(k) sign \(sign)")
                #expect(!SodiumTestHelpers.libsodiumVerify(asKey) && !SodiumTestHelpers.libsodiumVerify(asR))
                let verdicts = try Ed25519BatchVerifier.verdicts([good, asKey, asR, good], seed: UInt64(k))
                #expect(verdicts == [.valid, .keyNotCanonical, .rNotCanonical, .valid], "k \(k) sign \(sign)")
            }
        }
    }

    @Test func smallOrderKeysAndRAreRejected() throws {
        var rng = SplitMix64(seed: Self.seed ^ 0x5A11)
        var batch: [SignedMessage] = []
        var expected: [Ed25519.Verdict] = []
        for k in 0..<8 {
            var point = [UInt8](repeating: 0, count: 32)
            px_ed25519_small_order_point(UInt32(k), &point)
            for sign in [UInt8(0), 0x80] {
                var enc = point
                enc[31] ^= sign
                // A small-order key with an S that satisfies the cofactorless
                // equation for R = [S]B: [S]B - [h]A = R whenever [h]A = 0.
                let s = SodiumTestHelpers.randomScalar(&rng)
                let r = SodiumTestHelpers.baseMul(s)
                let forged = SignedMessage(publicKey: enc, signature: r + s, message: [UInt8(k)])
                var asR = Self.pool[k]
                asR.signature.replaceSubrange(0..<32, with: enc)
                for (s, v) in [(forged, Ed25519.Verdict.keySmallOrder), (asR, .rSmallOrder)] {
                    #expect(try Ed25519.verdict(s) == v, "point \(k) sign \(sign)")
                    #expect(!SodiumTestHelpers.libsodiumVerify(s), "point \(k) sign \(sign)")
                    batch.append(s)
                    expected.append(v)
                }
                batch.append(Self.pool[k + 10])
                expected.append(.valid)
            }
        }
        #expect(try Ed25519BatchVerifier.verdicts(batch, seed: rng.next()) == expected, "seed \(Self.seed)")
    }

    /// Keys and R with a small-order component: the one place the rule differs
    /// from libsodium. Signatures built honestly for A = aB + T satisfy
    /// [S]B - R - [h]A = -[h]T, so the cofactored rule accepts them all and
    /// libsodium accepts exactly when [h]T = 0, i.e. ord(T) divides h; with
    /// R = rB + T the residue is -T and libsodium always rejects.
    @Test func mixedOrderPointsFollowTheCofactoredRule() throws {
        var rng = SplitMix64(seed: Self.seed ^ 0x1111)
        var batch: [SignedMessage] = []
        var expected: [Ed25519.Verdict] = []
        var libsodiumAccepted = 0, libsodiumRejected = 0
        for round in 0..<48 {
            let k = 1 + round % 7
            var torsion = [UInt8](repeating: 0, count: 32)
            px_ed25519_small_order_point(UInt32(k), &torsion)
            let order = 8 / gcd(k, 8)
            let a = SodiumTestHelpers.randomScalar(&rng)
            let message = rng.bytes(round)
            let (mixedKey, h) = SodiumTestHelpers.sign(message: message, a: a, keyTorsion: torsion, rTorsion: nil, rng: &rng)
            let (mixedR, _) = SodiumTestHelpers.sign(message: message, a: a, keyTorsion: nil, rTorsion: torsion, rng: &rng)
            let libsodiumShouldAccept = Int(h[0]) % order == 0
            #expect(try Ed25519.verdict(mixedKey) == .valid, "seed \(Self.seed) round \(round)")
            #expect(SodiumTestHelpers.libsodiumVerify(mixedKey) == libsodiumShouldAccept, "seed \(Self.seed) round \(round)")
            #expect(try Ed25519.verdict(mixedR) == .valid, "seed \(Self.seed) round \(round)")
            #expect(!SodiumTestHelpers.libsodiumVerify(mixedR), "seed \(Self.seed) round \(round)")
            if libsodiumShouldAccept { libsodiumAccepted += 1 } else { libsodiumRejected += 1 }
            // The same signatures with a wrong S fail under both rules.
            var wrong = mixedKey
            wrong.signature[33] ^= 1
            #expect(try Ed25519.verdict(wrong) == .equationFails)
            #expect(!SodiumTestHelpers.libsodiumVerify(wrong))
            batch += [mixedKey, mixedR, wrong, Self.pool[round]]
            expected += [.valid, .valid, .equationFails, .valid]
        }
        // The difference is exercised both ways over these rounds.
        #expect(libsodiumAccepted > 0 && libsodiumRejected > 0, "seed \(Self.seed)")
        for seed in 0..<3 as Range<UInt64> {
            #expect(try Ed25519BatchVerifier.verdicts(batch, seed: seed) == expected, "seed \(Self.seed) coefficients \(seed)")
        }
    }

    /// Random 32-byte strings as keys and R: about half are not curve points.
    /// The IFMA and AVX2 decodings (where the CPU has them) and the portable
    /// one must agree with each other and with the single verifier on every verdict.
    @Test func dispatchLevelsAgreeOnRandomEncodings() throws {
        var rng = SplitMix64(seed: Self.seed ^ 0xD15)
        var batch: [SignedMessage] = []
        for i in 0..<200 {
            var s = Self.pool[i]
            switch i % 4 {
            case 0: s.publicKey = rng.bytes(32)
            case 1: s.signature.replaceSubrange(0..<32, with: rng.bytes(32))
            case 2: break
            default: s.publicKey = rng.bytes(32); s.signature.replaceSubrange(0..<32, with: rng.bytes(32))
            }
            batch.append(s)
        }
        let best = try Ed25519BatchVerifier.verdicts(batch, seed: 7, dispatch: .best)
        let avx2 = try Ed25519BatchVerifier.verdicts(batch, seed: 9, dispatch: .avx2)
        let portable = try Ed25519BatchVerifier.verdicts(batch, seed: 8, dispatch: .portable)
        #expect(best == portable, "seed \(Self.seed)")
        #expect(avx2 == portable, "seed \(Self.seed)")
        for (i, s) in batch.enumerated() {
            #expect(best[i] == (try Ed25519.verdict(s)), "seed \(Self.seed) entry \(i)")
            #expect(best[i].isValid == SodiumTestHelpers.libsodiumVerify(s), "seed \(Self.seed) entry \(i)")
        }
        // The batch exercised both outcomes of decoding.
        #expect(best.contains(.keyNotOnCurve) && best.contains(.rNotOnCurve) && best.contains(.equationFails))
        #expect(best.filter(\.isValid).count == 50)
    }

    /// Verifiers on several threads at once (shared start-up constants, no
    /// shared scratch space) give the single verifier's verdicts.
    @Test func concurrentVerifiersAgree() async throws {
        var batch = Array(Self.pool[100..<228])
        for i in stride(from: 0, to: batch.count, by: 11) { batch[i] = Self.corrupt(batch[i], way: i).0 }
        let expected = try batch.map { try Ed25519.verdict($0) }
        let shared = batch
        let results = try await withThrowingTaskGroup(of: [Ed25519.Verdict].self) { group in
            for task in 0..<4 {
                group.addTask { try Ed25519BatchVerifier.verdicts(shared, seed: UInt64(task)) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.count == 4)
        for verdicts in results { #expect(verdicts == expected, "seed \(Self.seed)") }
    }

    /// Long messages (several SHA-512 blocks) and messages of every length 0...130.
    @Test func messageLengths() throws {
        var rng = SplitMix64(seed: Self.seed ^ 0x1E)
        var batch: [SignedMessage] = []
        for length in Array(0...130) + [1_000, 10_000] {
            let (pk, sk) = SodiumTestHelpers.keyPair(seed: rng.bytes(32))
            let message = rng.bytes(length)
            batch.append(SignedMessage(publicKey: pk, signature: SodiumTestHelpers.sign(message, secretKey: sk), message: message))
        }
        var bad = batch[batch.count - 1]  // the 10 000-byte message
        bad.message[9_999] ^= 0x80
        batch.append(bad)
        let verdicts = try Ed25519BatchVerifier.verdicts(batch, seed: rng.next())
        #expect(verdicts.dropLast().allSatisfy { $0 == .valid }, "seed \(Self.seed)")
        #expect(verdicts.last == .equationFails)
    }

    private func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }
}
