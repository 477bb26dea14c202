import CParallaxCore
import ParallaxPrecheck
import Testing

/// Every kernel against the scalar kernel and against OpenSSL, on random
/// messages of every length 0 ... 300 and some long ones, in batches that mix
/// lengths so that lanes finish at different blocks and are refilled.
///
/// Serialized: the restriction tests change the process-wide dispatch mask.
@Suite(.serialized) struct KernelCrossCheckTests {
    /// Lengths 0 ... 300 twice each (covering every tail of both block sizes,
    /// 64 and 136 bytes), plus long messages of many blocks.
    static func corpus(_ rng: inout SeededGenerator) -> [[UInt8]] {
        var lengths = Array(0...300) + Array(0...300)
        lengths += [1000, 4095, 4096, 4097, 65_537, 136 * 17, 64 * 33 - 9]
        lengths.shuffle(using: &rng)
        return lengths.map { rng.bytes($0) }
    }

    @Test(arguments: HashAlgorithm.allCases)
    func everyKernelMatchesTheReference(_ algorithm: HashAlgorithm) throws {
        var rng = SeededGenerator.fromEnvironment()
        let messages = Self.corpus(&rng)
        let reference: [Digest32]
        switch algorithm {
        case .keccak256:
            // OpenSSL 3.0 has no Keccak-256: the scalar kernel is the
            // reference here; it meets OpenSSL through SHA3-256 (same sponge)
            // and the published vectors.
            var scalar = try BatchHasher(.keccak256, kernel: .scalar)
            reference = scalar.hash(messages)
        case .sha3_256, .sha256:
            reference = messages.map { openSSLDigest(algorithm, $0) }
        }
        for kernel in algorithm.kernels where kernel.isAvailable(for: algorithm) {
            var hasher = try BatchHasher(algorithm, kernel: kernel)
            let digests = hasher.hash(messages)
            let wrong = messages.indices.filter { digests[$0] != reference[$0] }
            #expect(wrong.isEmpty, """
                \(algorithm) \(kernel): \(wrong.count) wrong digests, lengths \(wrong.prefix(8).map { messages[$0].count }) … \
                (seed \(rng.seed))
                """)
            // Small batches: fewer messages than lanes, and every remainder.
            for size in 0...17 {
                let start = size * 13
                let digestsOfSlice = hasher.hash(messages[start..<(start + size)])
                #expect(digestsOfSlice == Array(reference[start..<(start + size)]),
                        "\(algorithm) \(kernel): batch of \(size) (seed \(rng.seed))")
            }
        }
    }

    @Test func everyKernelThisCPUAdvertisesIsTested() {
        let detected = px_cpu_detected()
        if detected & px_cpu_avx512f.rawValue != 0 { #expect(HashKernel.avx512.isAvailable(for: .keccak256)) }
        if detected & px_cpu_avx2.rawValue != 0 {
            #expect(HashKernel.avx2.isAvailable(for: .keccak256))
            #expect(HashKernel.avx2.isAvailable(for: .sha256))
        }
        if detected & px_cpu_sha_ni.rawValue != 0 { #expect(HashKernel.shaNI.isAvailable(for: .sha256)) }
        #expect(HashKernel.scalar.isAvailable(for: .sha256) && HashKernel.scalar.isAvailable(for: .keccak256))
    }

    @Test func kernelsThatDoNotExistAreRejected() {
        #expect(throws: HashKernelUnavailable(kernel: .shaNI, algorithm: .keccak256)) {
            try BatchHasher(.keccak256, kernel: .shaNI)
        }
        #expect(throws: HashKernelUnavailable(kernel: .avx512, algorithm: .sha256)) {
            try BatchHasher(.sha256, kernel: .avx512)
        }
    }

    /// px_cpu_restrict lowers automatic dispatch level by level; every level
    /// gives the same digests.
    @Test(arguments: HashAlgorithm.allCases)
    func restrictionLowersDispatch(_ algorithm: HashAlgorithm) throws {
        var rng = SeededGenerator.fromEnvironment()
        let messages = (0..<300).map { _ in rng.bytes(Int(rng.next() % 301)) }
        var scalar = try BatchHasher(algorithm, kernel: .scalar)
        let reference = scalar.hash(messages)
        defer { px_cpu_restrict(PX_CPU_ALL_FEATURES) }
        let levels: [(mask: UInt32, expected: HashKernel)] = switch algorithm {
        case .keccak256, .sha3_256: [
            (PX_CPU_ALL_FEATURES, HashKernel.avx512),
            (PX_CPU_ALL_FEATURES & ~px_cpu_avx512f.rawValue, .avx2),
            (0, .scalar),
        ]
        case .sha256: [
            (PX_CPU_ALL_FEATURES, HashKernel.shaNI),
            (PX_CPU_ALL_FEATURES & ~px_cpu_sha_ni.rawValue, .avx2),
            (0, .scalar),
        ]
        }
        for level in levels where level.expected.isAvailable(for: algorithm) {
            px_cpu_restrict(level.mask)
            #expect(HashKernel.selected(for: algorithm) == level.expected)
            var hasher = BatchHasher(algorithm)
            #expect(hasher.hash(messages) == reference, "\(algorithm) restricted to \(level.expected) (seed \(rng.seed))")
        }
    }
}
