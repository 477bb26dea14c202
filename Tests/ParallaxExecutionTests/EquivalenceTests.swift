import ParallaxExecution
import ParallaxWorkloads
import XCTest

/// Parallel == sequential, exactly, on thousands of seeded random blocks.
final class EquivalenceTests: XCTestCase {
    static let threadCounts = [1, 2, 4, 8]

    /// Runs `blocks` random blocks per thread count; every mismatch names its seed.
    func check(_ generatorShape: ProgramBlockGenerator, blocks: Int, seedBase: UInt64, contentionHint: Bool = true,
               expectConflicts: Bool = false, file: StaticString = #filePath, line: UInt = #line) throws {
        let sequential = SequentialExecutor()
        var reexecutions = 0
        defer {
            if expectConflicts {
                XCTAssertGreaterThan(reexecutions, 0, "a contended run should have re-executed something", file: file, line: line)
            }
        }
        for threads in EquivalenceTests.threadCounts {
            let parallel = try ParallelExecutor(threads: threads)
            parallel.contentionHint = contentionHint
            for block in 0..<blocks {
                let seed = seedBase &+ UInt64(threads) << 32 &+ UInt64(block)
                var generator = SplitMix64(seed: seed)
                let base = generatorShape.baseState(&generator)
                let transactions = generatorShape.block(&generator)
                let expected = sequential.execute(transactions, on: base)
                let actual = parallel.execute(transactions, on: base)
                reexecutions += parallel.lastStatistics.reexecutions(transactions: transactions.count)
                #if DEBUG
                parallel._checkInvariants()
                #endif
                if let difference = firstDifference(expected, actual) {
                    XCTFail("seed \(seed), \(threads) threads, \(transactions.count) txns: \(difference)", file: file, line: line)
                    return
                }
                var applied = base
                applied.apply(actual.stateDelta)
                XCTAssertEqual(applied.commitment.root, actual.stateRoot, "seed \(seed): root of the applied delta", file: file, line: line)
            }
        }
    }

    func testLowContention() throws {
        try check(ProgramBlockGenerator(universe: 2_000, hotProbability: 0, maxTransactions: 120), blocks: 150, seedBase: 1 << 40)
    }

    func testMediumContention() throws {
        try check(ProgramBlockGenerator(universe: 24, hotProbability: 0.2, maxTransactions: 120), blocks: 250, seedBase: 2 << 40)
    }

    /// Plain Block-STM (no contention hint) takes the abort-and-re-execute
    /// paths that the hint otherwise avoids.
    func testMediumContentionWithoutHint() throws {
        try check(ProgramBlockGenerator(universe: 16, hotProbability: 0.3, maxTransactions: 100), blocks: 150,
                  seedBase: 5 << 40, contentionHint: false, expectConflicts: true)
    }

    func testFullContention() throws {
        try check(ProgramBlockGenerator(universe: 3, hotProbability: 0.9, maxTransactions: 80), blocks: 200, seedBase: 3 << 40,
                  expectConflicts: true)
    }

    func testFailuresHeavy() throws {
        try check(ProgramBlockGenerator(universe: 10, hotProbability: 0.3, maxTransactions: 60, failureRate: 0.25),
                  blocks: 150, seedBase: 4 << 40)
    }

    func testEmptyAndSingleTransactionBlocks() throws {
        let sequential = SequentialExecutor()
        let shape = ProgramBlockGenerator(universe: 5, hotProbability: 0.5, maxTransactions: 1)
        for threads in EquivalenceTests.threadCounts {
            let parallel = try ParallelExecutor(threads: threads)
            for seed in UInt64(0)..<40 {
                var generator = SplitMix64(seed: seed)
                let base = shape.baseState(&generator)
                let transactions = shape.block(&generator, count: Int(seed % 2))
                let expected = sequential.execute(transactions, on: base)
                let actual = parallel.execute(transactions, on: base)
                XCTAssertNil(firstDifference(expected, actual), "seed \(seed), \(threads) threads")
                if transactions.isEmpty {
                    XCTAssertEqual(actual.stateRoot, base.commitment.root, "an empty block keeps the root")
                    XCTAssertTrue(actual.stateDelta.writes.isEmpty)
                }
            }
        }
    }

    /// Chains of blocks of the synthetic workload, each on the state the
    /// previous one left, with reverts and a hot key.
    func testSyntheticBlockChains() throws {
        var parameters = SyntheticWorkload.Parameters()
        parameters.keys = 500
        parameters.hotProbability = 0.3
        parameters.revertProbability = 0.2
        parameters.reads = 3
        parameters.writes = 2
        parameters.seed = 77
        let workload = try SyntheticWorkload(parameters)
        let sequential = SequentialExecutor()
        for threads in EquivalenceTests.threadCounts {
            let parallel = try ParallelExecutor(threads: threads)
            var sequentialState = workload.initialState()
            var parallelState = sequentialState
            for number in 0..<6 {
                let block = workload.block(number, transactions: 300)
                let expected = sequential.execute(block, on: sequentialState)
                let actual = parallel.execute(block, on: parallelState)
                XCTAssertNil(firstDifference(expected, actual), "synthetic seed 77 block \(number), \(threads) threads")
                sequentialState.apply(expected.stateDelta)
                parallelState.apply(actual.stateDelta)
                XCTAssertEqual(parallelState.commitment.root, actual.stateRoot)
            }
        }
    }

    /// A block touching far more keys than its size suggests overflows the
    /// key table; the executor restarts it with a larger table.
    func testKeyTableOverflowRestarts() throws {
        struct WideWriter: PayerFeeTransaction {
            var first: Int
            var gasLimit: UInt64 { 100_000_000 }
            var gasPrice: UInt64 { 0 }
            var feePayer: StateKey? { nil }
            var declaredAccess: DeclaredAccess? { DeclaredAccess(writes: (first..<(first + 3_000)).map(SyntheticWorkload.key)) }
            func execute(in context: ExecutionContext) throws {
                for index in first..<(first + 3_000) {
                    let key = SyntheticWorkload.key(index)
                    let old = try context.read(key)?.uint64Value ?? 7
                    try context.write(key, StateValue(uint64: old &* 3 &+ UInt64(index)))
                }
            }
        }
        let block: [any Transaction] = [WideWriter(first: 0), WideWriter(first: 1_500)]
        let expected = SequentialExecutor().execute(block, on: InMemoryState())
        // Hybrid: the second writer's declared reads wait for the first, which halts on the full table.
        for hints in [false, true] {
            let parallel = try ParallelExecutor(threads: 2)
            parallel.declarationHints = hints
            let actual = parallel.execute(block, on: InMemoryState())
            XCTAssertNil(firstDifference(expected, actual), "hints \(hints)")
            XCTAssertGreaterThan(parallel.lastStatistics.restarts, 0, "1024-entry table should have overflowed")
            // The grown table is kept: the next block needs no restart.
            _ = parallel.execute(block, on: InMemoryState())
            XCTAssertEqual(parallel.lastStatistics.restarts, 0)
        }
    }
}
