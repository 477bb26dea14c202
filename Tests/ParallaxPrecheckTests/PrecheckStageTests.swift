@testable import ParallaxPrecheck
import ParallaxTopology
import Testing

/// The precheck stage on blocks mixing valid Ed25519 and secp256k1
/// transactions with every kind of malformed, badly signed or out-of-rules
/// one: each outcome must be the one the block generator derived from how it
/// built the transaction, in block order, whatever runs the chunks.
@Suite struct PrecheckStageTests {
    /// Every transaction gets its own expected outcome on the calling thread.
    @Test func mixedBlockGetsTheExpectedOutcomes() throws {
        var rng = SeededGenerator.fromEnvironment()
        let seed = rng.seed
        let signers = TestSigners(&rng)
        let test = try StageTestBlock(count: 600, signers: signers, rng: &rng)
        // Every kind occurs, so every rejection path is exercised.
        #expect(Set(test.kinds.map { "\($0)" }).count == StageTestBlock.Kind.allCases.count, "seed \(seed)")

        let stage = PrecheckStage(rules: StageTestBlock.rules)
        var results: [PrecheckResult] = []
        let statistics = try stage.check(test.block, into: &results)
        try Self.expectOutcomes(results, test, seed: seed, label: "no pool")

        let expectedRejected = test.expected.filter { if case .failure = $0 { true } else { false } }.count
        #expect(statistics.transactions == 600 && statistics.rejected == expectedRejected
                && statistics.verified == 600 - expectedRejected, "\(statistics), seed \(seed)")
        #expect(statistics.chunks == (600 + PrecheckStage.defaultChunkSize - 1) / PrecheckStage.defaultChunkSize)
        stage._checkInvariants()
    }

    /// The same block through pools of 1, 2 and 4 workers and several chunk
    /// sizes gives exactly the results of the calling thread.
    @Test func resultsDoNotDependOnWorkersOrChunks() throws {
        var rng = SeededGenerator.fromEnvironment()
        let seed = rng.seed
        let signers = TestSigners(&rng)
        let test = try StageTestBlock(count: 500, signers: signers, rng: &rng)
        let reference = try PrecheckStage(rules: StageTestBlock.rules).check(test.block)
        try Self.expectOutcomes(reference, test, seed: seed, label: "no pool")

        for workers in [1, 2, 4] {
            let pool = try testPool(workers: workers)
            defer { pool.shutdown() }
            for chunkSize in [1, 7, 64, 100] {
                let stage = PrecheckStage(rules: StageTestBlock.rules, pool: pool, chunkSize: chunkSize)
                // Twice: the second block reuses every checker's scratch.
                for round in 0..<2 {
                    var results: [PrecheckResult] = []
                    let statistics = try stage.check(test.block, into: &results)
                    let firstDifference = results.indices.first { results[$0] != reference[$0] }
                    #expect(results.count == reference.count && firstDifference == nil,
                            "\(workers) workers, chunks of \(chunkSize), round \(round): first difference at \(String(describing: firstDifference)), seed \(seed)")
                    #expect(statistics.transactions == 500 && statistics.chunks == (500 + chunkSize - 1) / chunkSize,
                            "\(statistics), seed \(seed)")
                    stage._checkInvariants()
                }
            }
        }
    }

    /// One bad signature at each position of a full chunk of good ones is
    /// found, and none of its 63 neighbours is rejected (the batch bisects).
    @Test func oneBadSignatureAtEveryPositionOfAChunk() throws {
        var rng = SeededGenerator.fromEnvironment()
        let seed = rng.seed
        let signers = TestSigners(&rng)
        let good = try (0..<64).map { _ in
            try StageTestBlock.signed(.ed25519, signers: signers, rng: &rng, payloadBytes: 16).encoded()
        }
        let pool = try testPool(workers: 2)
        defer { pool.shutdown() }
        let stage = PrecheckStage(rules: StageTestBlock.rules, pool: pool, chunkSize: 64)
        var results: [PrecheckResult] = []
        var groups = 0
        for position in 0..<64 {
            var corrupted = good
            // S's lowest byte: S stays below L, so the equation is what fails.
            corrupted[position][corrupted[position].count - 32] ^= 0x01
            let block = PackedMessages(corrupted)
            groups += try stage.check(block, into: &results).ed25519Batches
            for (index, result) in results.enumerated() {
                if index == position {
                    #expect(result == .failure(.badSignature(.ed25519(.equationFails))), "position \(position), seed \(seed)")
                } else {
                    #expect((try? result.get())?.hash == StageTestBlock.hashOf(good[index]),
                            "neighbour \(index) of bad \(position): \(result), seed \(seed)")
                }
            }
        }
        // One bad signature in 64 is the full batch's case: it never split a chunk.
        #expect(groups == 64)
    }

    /// Many bad signatures at random positions among valid ones of both
    /// schemes, on a pool and without: exactly the bad ones are rejected, also
    /// once the checkers have switched to smaller batches.
    @Test func manyBadSignaturesAtRandomPositions() throws {
        var rng = SeededGenerator.fromEnvironment()
        let seed = rng.seed
        let signers = TestSigners(&rng)
        let test = try StageTestBlock(
            count: 400, signers: signers, rng: &rng,
            only: [.validEd25519, .validEd25519, .validSecp256k1, .flippedEd25519SignatureBit,
                   .tamperedEd25519Payload, .flippedSecp256k1SignatureBit])
        let pool = try testPool(workers: 4)
        defer { pool.shutdown() }
        // Chunks of 64 whatever this CPU's default: several chunks per block.
        for stage in [PrecheckStage(rules: StageTestBlock.rules, chunkSize: 64),
                      PrecheckStage(rules: StageTestBlock.rules, pool: pool, chunkSize: 64)] {
            var results: [PrecheckResult] = []
            let statistics = try stage.check(test.block, into: &results)
            try Self.expectOutcomes(results, test, seed: seed, label: stage.pool == nil ? "no pool" : "4 workers")
            // About a third of the Ed25519 signatures are bad: chunks after the first go one by one.
            #expect(statistics.ed25519SingleVerifications > 0, "\(statistics), seed \(seed)")
        }
    }

    @Test func emptyBlocksAndReusedResultArrays() throws {
        var rng = SeededGenerator.fromEnvironment()
        let seed = rng.seed
        let signers = TestSigners(&rng)
        let pool = try testPool(workers: 2)
        defer { pool.shutdown() }
        let stage = PrecheckStage(rules: StageTestBlock.rules, pool: pool)
        var results: [PrecheckResult] = []
        #expect(try stage.check(PackedMessages(), into: &results) == PrecheckStatistics())
        #expect(results.isEmpty)
        // Envelopes of no bytes in a block of no bytes.
        let empties = try stage.check(PackedMessages([[UInt8](), []]))
        #expect(empties == Array(repeating: .failure(.malformed(.truncated(.version, needed: 1, available: 0))), count: 2))
        // A long block, then shorter ones into the same array: no stale outcome survives.
        for count in [300, 65, 64, 1, 0] {
            let test = try StageTestBlock(count: count, signers: signers, rng: &rng)
            try stage.check(test.block, into: &results)
            try Self.expectOutcomes(results, test, seed: seed, label: "\(count) transactions")
        }
    }

    @Test func aShutDownPoolIsReported() throws {
        var rng = SeededGenerator.fromEnvironment()
        let test = try StageTestBlock(count: 200, signers: TestSigners(&rng), rng: &rng)
        let pool = try testPool(workers: 2)
        // Chunks of 64: the block is several chunks, so the pool is asked.
        let stage = PrecheckStage(rules: StageTestBlock.rules, pool: pool, chunkSize: 64)
        pool.shutdown()
        #expect(throws: WorkerPoolError.shutDown) { try stage.check(test.block) }
        stage._checkInvariants()
    }

    /// Outcomes are plain data: writing one costs no reference counting and a
    /// verified transaction holds no heap storage of its own.
    @Test func outcomesArePlainData() {
        #expect(_isPOD(PrecheckResult.self))
        #expect(_isPOD(VerifiedTransaction.self))
        #expect(_isPOD(PrecheckRejection.self))
    }

    /// Group sizes after a chunk: the largest power of two holding at most one
    /// bad signature on average, the whole chunk when none was bad, single
    /// verification below 8.
    @Test func groupSizeFollowsTheBadShare() {
        let cases: [(bad: Int, of: Int, limit: Int, size: Int)] = [
            (0, 64, 64, 64), (1, 64, 64, 64), (2, 64, 64, 32), (3, 64, 64, 16), (4, 64, 64, 16),
            (8, 64, 64, 8), (9, 64, 64, 1), (64, 64, 64, 1), (0, 100, 100, 100), (1, 100, 100, 64), (1, 200, 64, 64),
            (1, 10, 100, 8), (2, 10, 100, 1),
        ]
        for c in cases {
            #expect(ChunkChecker.groupSize(bad: c.bad, of: c.of, limit: c.limit) == c.size, "\(c)")
        }
    }

    /// The coefficient seeds are fresh words across refills, never a constant.
    @Test func batchSeedsAreFresh() {
        var source = BatchSeedSource()
        let words = (0..<16).map { _ in source.next() }
        #expect(Set(words).count == words.count, "\(words)")
    }

    @Test func senderKeysRoundTrip() throws {
        var rng = SeededGenerator.fromEnvironment()
        for scheme in SignatureScheme.allCases {
            let bytes = rng.bytes(scheme.publicKeyLength)
            let key = SenderKey(try PublicKey(scheme: scheme, bytes: bytes))
            #expect(key.bytes == bytes && key.scheme == scheme && key.publicKey.bytes == bytes, "seed \(rng.seed)")
            var other = bytes
            other[other.count - 1] ^= 1
            #expect(key != SenderKey(try PublicKey(scheme: scheme, bytes: other)), "seed \(rng.seed)")
        }
    }

    /// Compares each outcome with the generator's, naming the index and kind.
    static func expectOutcomes(_ results: [PrecheckResult], _ test: StageTestBlock, seed: UInt64, label: String) throws {
        try #require(results.count == test.expected.count, "\(label): \(results.count) results for \(test.expected.count) transactions, seed \(seed)")
        for index in results.indices where results[index] != test.expected[index] {
            Issue.record("\(label): transaction \(index) (\(test.kinds[index])): got \(results[index]), expected \(test.expected[index]), seed \(seed)")
        }
        for (index, result) in results.enumerated() {
            if case .success(let transaction) = result {
                #expect(Array(transaction.payload(in: test.block)) == Array(test.block[index].dropFirst(38 + transaction.sender.scheme.publicKeyLength).dropLast(64)),
                        "\(label): payload of \(index), seed \(seed)")
            }
        }
    }
}

extension StageTestBlock {
    /// The transaction hash of a well-formed envelope.
    static func hashOf(_ bytes: [UInt8]) -> TransactionHash? {
        (try? SignedTransaction(decoding: bytes, limits: rules.envelopeLimits))?.hash
    }
}
