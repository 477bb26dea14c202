@testable import ParallaxExecution
import ParallaxWorkloads
import XCTest

/// The adaptive executor == sequential, exactly, on seeded random blocks
/// whose contention changes inside the block (independent, then one chain on
/// a hot key, then independent again), at 1, 2, 4 and 8 threads, with the
/// mode switches forced as well as chosen. Every mismatch names its seed;
/// `PX_TEST_SEED=<seed>` runs that one block at every thread count. Also
/// in the ThreadSanitizer subset (`make test-tsan`).
final class AdaptiveExecutorTests: XCTestCase {
    static let threadCounts = [1, 2, 4, 8]

    /// Independent, chain, independent: one generator per phase over the same keys.
    static func phasedBlock(_ generator: inout SplitMix64, phase: Int) -> [any Transaction] {
        let independent = ProgramBlockGenerator(universe: 2_000, hotProbability: 0, maxTransactions: phase)
        let chain = ProgramBlockGenerator(universe: 2_000, hotProbability: 0.97, maxTransactions: phase)
        var block = independent.block(&generator, count: phase)
        block += chain.block(&generator, count: phase * 2)
        block += independent.block(&generator, count: phase)
        return block
    }

    static var replaySeed: UInt64? {
        guard let value = getenv("PX_TEST_SEED") else { return nil }
        return UInt64(String(cString: value))
    }

    /// How a test configures the executor before a block.
    enum Forcing {
        /// The executor's own decisions, with small windows so that small blocks switch.
        case chosen
        /// Block-STM yields at every pace check (a tiny sequential estimate).
        case paceYields
        /// Every window counts as contended: yield as soon as a worker has finished a window.
        case alwaysContended
    }

    /// Runs `blocks` phased blocks per thread count; returns the summed reports.
    /// An adaptive executor whose windows fit the tests' small blocks, so
    /// that its decisions happen several times per block.
    static func smallWindows(threads: Int) throws -> AdaptiveExecutor {
        let adaptive = try AdaptiveExecutor(threads: threads)
        adaptive.probeWindow = 16
        adaptive.firstMinimumRun = 32
        adaptive.monitorWindow = 8
        return adaptive
    }

    @discardableResult
    func check(phase: Int, blocks: Int, seedBase: UInt64, forcing: Forcing,
               file: StaticString = #filePath, line: UInt = #line) throws -> AdaptiveReport {
        let sequential = SequentialExecutor()
        let shape = ProgramBlockGenerator(universe: 2_000, hotProbability: 0, maxTransactions: 0)
        var total = AdaptiveReport()
        for threads in AdaptiveExecutorTests.threadCounts {
            let adaptive = try AdaptiveExecutorTests.smallWindows(threads: threads)
            adaptive.paceWarmup = 0
            let seeds = AdaptiveExecutorTests.replaySeed.map { [$0] }
                ?? (0..<UInt64(blocks)).map { seedBase &+ UInt64(threads) << 32 &+ $0 }
            for seed in seeds {
                switch forcing {
                case .chosen: break
                case .paceYields: adaptive.sequentialNanoseconds = 1
                case .alwaysContended: adaptive.contendedShare = 0
                }
                var generator = SplitMix64(seed: seed)
                let base = shape.baseState(&generator)
                let transactions = AdaptiveExecutorTests.phasedBlock(&generator, phase: phase)
                let expected = sequential.execute(transactions, on: base)
                let actual = adaptive.execute(transactions, on: base)
                let report = adaptive.lastReport
                total.blockSTM += report.blockSTM
                total.inOrder += report.inOrder
                total.yields += report.yields
                total.switches += report.switches
                XCTAssertEqual(report.blockSTM + report.inOrder, transactions.count,
                               "seed \(seed), \(threads) threads: every transaction ran in exactly one mode", file: file, line: line)
                if let difference = firstDifference(expected, actual) {
                    XCTFail("seed \(seed), \(threads) threads, \(transactions.count) txns, report \(report): \(difference)",
                            file: file, line: line)
                    return total
                }
                var applied = base
                applied.apply(actual.stateDelta)
                XCTAssertEqual(applied.commitment.root, actual.stateRoot, "seed \(seed): root of the applied delta", file: file, line: line)
            }
        }
        return total
    }

    func testPhasedBlocksChosenModes() throws {
        let total = try check(phase: 120, blocks: 25, seedBase: 11 << 40, forcing: .chosen)
        XCTAssertGreaterThan(total.inOrder, 0, "chains should have run in order")
        XCTAssertGreaterThan(total.switches, total.yields, "the in-order mode should have handed blocks back to Block-STM")
    }

    func testPhasedBlocksPaceYields() throws {
        let total = try check(phase: 80, blocks: 20, seedBase: 12 << 40, forcing: .paceYields)
        XCTAssertGreaterThan(total.yields, 0, "a 1 ns estimate: Block-STM must have yielded at a pace check")
    }

    func testPhasedBlocksAlwaysContended() throws {
        let total = try check(phase: 80, blocks: 20, seedBase: 13 << 40, forcing: .alwaysContended)
        XCTAssertGreaterThan(total.yields, 0, "every window counts as contended: Block-STM must have yielded")
        XCTAssertGreaterThan(total.blockSTM, 0)
    }

    /// Transaction indices seen by the context are the block's, in every mode.
    func testTransactionIndexIsTheBlocks() throws {
        struct IndexWriter: Transaction {
            let key: StateKey
            var gasLimit: UInt64 { 100_000 }
            func execute(in context: ExecutionContext) throws {
                _ = try context.read(SyntheticWorkload.key(1))   // every one on the same key: a chain
                try context.write(SyntheticWorkload.key(1), StateValue(uint64: UInt64(context.transactionIndex.rawValue)))
                try context.write(key, StateValue(uint64: UInt64(context.transactionIndex.rawValue)))
            }
        }
        let block: [any Transaction] = (0..<600).map { IndexWriter(key: SyntheticWorkload.key(100 + $0)) }
        for threads in [2, 4] {
            let adaptive = try AdaptiveExecutorTests.smallWindows(threads: threads)
            adaptive.contendedShare = 0
            let expected = SequentialExecutor().execute(block, on: InMemoryState())
            let actual = adaptive.execute(block, on: InMemoryState())
            XCTAssertNil(firstDifference(expected, actual), "\(threads) threads, report \(adaptive.lastReport)")
        }
    }

    /// Built-in workloads (fee credits to a beneficiary by delta, nonces,
    /// contract deltas) with Block-STM yielding at every pace check: the
    /// stitched prefix + suffix equals the sequential output block after block.
    func testWorkloadsWithForcedYields() throws {
        var shape = WorkloadShape()
        shape.accounts = 40
        shape.zipf = 0.8
        let workloads: [any Workload] = [
            try P2PWorkload(shape), try ERC20Workload(shape), try AMMWorkload(shape, pools: 2), try NFTWorkload(shape),
            try MixedWorkload(shape),
        ]
        let sequential = SequentialExecutor()
        for workload in workloads {
            for threads in [2, 4] {
                let adaptive = try AdaptiveExecutorTests.smallWindows(threads: threads)
                adaptive.paceWarmup = 0
                var yields = 0
                defer { XCTAssertGreaterThan(yields, 0, "\(workload.name), \(threads) threads: Block-STM never yielded") }
                var state = workload.initialState()
                for number in 0..<3 {
                    adaptive.sequentialNanoseconds = 1
                    let block = workload.block(number, transactions: 700)
                    let expected = sequential.execute(block, on: state)
                    let actual = adaptive.execute(block, on: state)
                    yields += adaptive.lastReport.yields
                    if let difference = firstDifference(expected, actual) {
                        XCTFail("\(workload.name) block \(number), \(threads) threads, report \(adaptive.lastReport): \(difference)")
                        return
                    }
                    state.apply(expected.stateDelta)
                }
            }
        }
    }

    func testEmptyAndSingleTransactionBlocks() throws {
        let shape = ProgramBlockGenerator(universe: 5, hotProbability: 0.5, maxTransactions: 1)
        for threads in AdaptiveExecutorTests.threadCounts {
            let adaptive = try AdaptiveExecutor(threads: threads)
            for seed in UInt64(0)..<20 {
                var generator = SplitMix64(seed: seed)
                let base = shape.baseState(&generator)
                let transactions = shape.block(&generator, count: Int(seed % 2))
                XCTAssertNil(firstDifference(SequentialExecutor().execute(transactions, on: base), adaptive.execute(transactions, on: base)),
                             "seed \(seed), \(threads) threads")
            }
        }
    }
}
