@testable import ParallaxExecution
import ParallaxTopology
import ParallaxWorkloads
import XCTest

/// The subset run under `swift test --sanitize=thread`
/// (`--filter ParallelExecutorTSanTests`): the scheduler, the multi-version
/// memory, the key table and the plain worker pool under real concurrency.
final class ParallelExecutorTSanTests: XCTestCase {
    func testRandomBlocksUnderContention() throws {
        let sequential = SequentialExecutor()
        let shape = ProgramBlockGenerator(universe: 12, hotProbability: 0.4, maxTransactions: 60, failureRate: 0.1)
        for threads in [2, 4] {
            let parallel = try ParallelExecutor(threads: threads)
            for block in 0..<40 {
                let seed = 0x75A4 &+ UInt64(threads) << 20 &+ UInt64(block)
                var generator = SplitMix64(seed: seed)
                let base = shape.baseState(&generator)
                let transactions = shape.block(&generator)
                parallel.contentionHint = block % 2 == 0
                let expected = sequential.execute(transactions, on: base)
                let actual = parallel.execute(transactions, on: base)
                XCTAssertNil(firstDifference(expected, actual), "seed \(seed), \(threads) threads, hint \(parallel.contentionHint)")
            }
        }
    }

    func testSyntheticFullContention() throws {
        let (block, base) = try fullContentionSyntheticBlock()
        let expected = SequentialExecutor().execute(block, on: base)
        let parallel = try ParallelExecutor(threads: 3)
        let actual = parallel.execute(block, on: base)
        XCTAssertNil(firstDifference(expected, actual))
    }

    func testPlainPoolRunsEveryIndexOncePerBroadcast() throws {
        /// Each worker writes only its own element.
        final class Counts: @unchecked Sendable {
            let slots: UnsafeMutablePointer<Int>
            let count: Int
            init(_ count: Int) {
                self.count = count
                slots = .allocate(capacity: count)
                slots.initialize(repeating: 0, count: count)
            }
            deinit { slots.deallocate() }
            var perIndex: [Int] { Array(UnsafeBufferPointer(start: slots, count: count)) }
        }
        for size in [1, 2, 5] {
            let pool = try WorkerPool(threads: size)
            let counts = Counts(size)
            for _ in 0..<200 {
                try pool.broadcast { worker in counts.slots[worker.index] += 1 }
            }
            XCTAssertEqual(counts.perIndex, Array(repeating: 200, count: size), "pool of \(size)")
            pool.shutdown()
            XCTAssertEqual(pool.statistics.map(\.broadcasts), Array(repeating: 200, count: size),
                           "every worker counts every broadcast")
        }
    }
}

extension ParallelExecutorTSanTests {
    /// Workers intern overlapping key sets at once: every key gets one id.
    func testConcurrentInterning() throws {
        final class Shared: @unchecked Sendable {
            let table: KeyTable
            let arenas: [WordArena]
            let results: UnsafeMutablePointer<[UInt64]>
            init(workers: Int) throws {
                table = try KeyTable(capacity: 4_096, node: nil)
                table.beginBlock()
                arenas = (0..<workers).map { _ in WordArena(chunkWords: 256, node: nil) }
                results = .allocate(capacity: workers)
                results.initialize(repeating: [], count: workers)
            }
        }
        let workers = 4
        let pool = try WorkerPool(threads: workers)
        let shared = try Shared(workers: workers)
        defer { shared.results.deinitialize(count: workers); shared.results.deallocate() }
        try pool.broadcast { context in
            let worker = context.index
            var ids: [UInt64] = []
            for step in 0..<1_000 {
                let index = (step * (worker + 1)) % 1_000
                ids.append(shared.table.intern(SyntheticWorkload.key(index), arena: shared.arenas[worker])!.id)
            }
            shared.results[worker] = ids
        }
        var idOfKey: [Int: UInt64] = [:]
        for worker in 0..<workers {
            for (step, id) in shared.results[worker].enumerated() {
                let index = (step * (worker + 1)) % 1_000
                if let known = idOfKey[index] { XCTAssertEqual(known, id, "key \(index)") } else { idOfKey[index] = id }
                XCTAssertEqual(KeyTable.key(id), SyntheticWorkload.key(index))
            }
        }
        XCTAssertEqual(Set(idOfKey.values).count, idOfKey.count)
        shared.table._checkInvariants()
    }
}

/// A 200-transaction synthetic block in which every transaction touches the
/// hot key, with its base state: the TSan suites' full-contention case.
func fullContentionSyntheticBlock() throws -> ([any Transaction], InMemoryState) {
    var parameters = SyntheticWorkload.Parameters()
    parameters.keys = 100
    parameters.hotProbability = 1
    let workload = try SyntheticWorkload(parameters)
    return (workload.block(0, transactions: 200), workload.initialState())
}
