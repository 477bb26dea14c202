import ParallaxExecution
import ParallaxWorkloads
import XCTest

/// The oracle property for every built-in workload: on chains of seeded
/// blocks, the parallel executor at 1, 2, 4 and 8 threads produces exactly
/// the sequential executor's output (statuses, gas, fees, events, write-sets,
/// state delta and root). Small account sets and high skew make conflicts
/// frequent; every failure names the workload, the seed and the block.
final class WorkloadEquivalenceTests: XCTestCase {
    static let executors: [ParallelExecutor] = [1, 2, 4, 8].map { try! ParallelExecutor(threads: $0) }

    func check(_ makeWorkload: (UInt64) throws -> any Workload, seeds: ClosedRange<UInt64>, blocks: Int = 4,
               transactions: Int = 150, file: StaticString = #filePath, line: UInt = #line) throws {
        let sequential = SequentialExecutor()
        for seed in seeds {
            let workload = try makeWorkload(seed)
            var state = workload.initialState()
            for number in 0..<blocks {
                let block = workload.block(number, transactions: transactions)
                let expected = sequential.execute(block, on: state)
                for executor in WorkloadEquivalenceTests.executors {
                    let actual = executor.execute(block, on: state)
                    executor._checkInvariants()
                    guard actual == expected else {
                        let first = actual.transactions.indices.first { $0 >= expected.transactions.count || actual.transactions[$0] != expected.transactions[$0] }
                        XCTFail("\(workload.name) seed \(seed) block \(number) threads \(executor.pool.count): outputs differ "
                                + "(first differing transaction: \(first.map(String.init) ?? "none; delta or root"))", file: file, line: line)
                        return
                    }
                }
                state.apply(expected.stateDelta)
                XCTAssertEqual(state.commitment.root, expected.stateRoot, "\(workload.name) seed \(seed) block \(number)", file: file, line: line)
            }
        }
    }

    func shape(seed: UInt64, accounts: Int = 40, zipf: Double = 0.8, hotShare: Double = 0) -> WorkloadShape {
        var shape = WorkloadShape()
        shape.accounts = accounts
        shape.zipf = zipf
        shape.hotShare = hotShare
        shape.seed = seed
        return shape
    }

    func testP2P() throws {
        try check({ try P2PWorkload(shape(seed: $0)) }, seeds: 1...20)
        try check({ try P2PWorkload(shape(seed: $0, accounts: 5_000, zipf: 0)) }, seeds: 21...24)
    }

    func testERC20() throws {
        try check({ try ERC20Workload(shape(seed: $0)) }, seeds: 1...20)
        try check({ try ERC20Workload(shape(seed: $0, accounts: 3, zipf: 0)) }, seeds: 21...24)
    }

    func testAMM() throws {
        try check({ try AMMWorkload(shape(seed: $0, hotShare: 0.5), pools: 4) }, seeds: 1...12)
        try check({ try AMMWorkload(shape(seed: $0, hotShare: 1)) }, seeds: 13...18)
    }

    func testNFT() throws {
        try check({ try NFTWorkload(shape(seed: $0, hotShare: 0.3), collections: 3) }, seeds: 1...12)
        // A cap the hot mints run into mid-block.
        try check({ try NFTWorkload(shape(seed: $0, hotShare: 0.6), collections: 2, preminted: 10, cap: 60) }, seeds: 13...18)
    }

    func testSupplyChain() throws {
        try check({ try SupplyChainWorkload(shape(seed: $0, zipf: 1.2), outOfOrder: 0.2) }, seeds: 1...20)
    }

    func testMixed() throws {
        try check({ try MixedWorkload(shape(seed: $0, hotShare: 0.4)) }, seeds: 1...15)
        try check({ try MixedWorkload(shape(seed: $0), weights: MixedWorkload.Weights(parsing: "amm=1,nft=1")) }, seeds: 16...20)
    }

    func testBusyWorkDoesNotChangeResults() throws {
        var working = shape(seed: 3)
        working.workNanoseconds = 300
        for (plain, busy) in [(try MixedWorkload(shape(seed: 3)), try MixedWorkload(working))] {
            let base = plain.initialState()
            let executor = WorkloadEquivalenceTests.executors[1]
            XCTAssertEqual(executor.execute(plain.block(0, transactions: 100), on: base),
                           executor.execute(busy.block(0, transactions: 100), on: base))
        }
    }

    /// The contended shapes really conflict: the property above would hold
    /// vacuously if the parallel executor never saw a conflict. Whether a
    /// given block conflicts depends on thread scheduling (on a loaded
    /// machine the workers may run one after another), so each workload gets
    /// up to 20 blocks to show one re-execution or suspension.
    func testContendedShapesConflict() throws {
        let executor = WorkloadEquivalenceTests.executors[3]
        let workloads: [any Workload] = [
            try P2PWorkload(shape(seed: 1, accounts: 4, zipf: 0)),
            try AMMWorkload(shape(seed: 1, hotShare: 1)),
            try NFTWorkload(shape(seed: 1, hotShare: 1)),
        ]
        for workload in workloads {
            var conflicts = 0
            for number in 0..<20 where conflicts == 0 {
                _ = executor.execute(workload.block(number, transactions: 300), on: workload.initialState())
                let statistics = executor.lastStatistics
                conflicts += statistics.reexecutions(transactions: 300) + statistics.suspensions
            }
            XCTAssertGreaterThan(conflicts, 0, "\(workload.name): no conflict in 20 fully contended blocks at 8 threads")
        }
    }
}
