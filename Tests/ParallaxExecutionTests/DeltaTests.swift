import ParallaxExecution
import ParallaxWorkloads
import XCTest

/// A random contract over a few small counters that mixes delta writes
/// (64- and 128-bit, bounded, some failing, some failures caught), bound
/// queries it branches on, exact reads, full writes and deletes of the same
/// keys. Its outputs depend on every answer and value it saw.
struct DeltaProgram: PayerFeeTransaction {
    enum Op: Sendable {
        case add(Int, UInt64, bound: UInt64, wide: Bool, catching: Bool)
        case subtract(Int, UInt64, wide: Bool, catching: Bool)
        case query(Int, UInt64, bound: UInt64, subtract: Bool)
        case read(Int)
        case write(Int, wide: Bool)
        case delete(Int)
    }

    let keys: [StateKey]
    let ops: [Op]
    let salt: UInt64
    let feePayer: StateKey?
    let feeBeneficiary: FeeBeneficiary?
    var gasLimit: UInt64 { 20_000 }
    var gasPrice: UInt64 { 3 }

    func execute(in context: ExecutionContext) throws {
        var accumulator = salt
        func mix(_ value: UInt64) {
            accumulator = (accumulator ^ value) &* 0x9E37_79B9_7F4A_7C15
            accumulator ^= accumulator >> 29
        }
        for op in ops {
            do {
                switch op {
                case .add(let key, let amount, let bound, let wide, _):
                    if wide { try context.add(keys[key], UInt128(amount), upTo: UInt128(bound)) } else {
                        try context.add(keys[key], amount, upTo: bound)
                    }
                    mix(1)
                case .subtract(let key, let amount, let wide, _):
                    if wide { try context.subtract(keys[key], UInt128(amount)) } else { try context.subtract(keys[key], amount) }
                    mix(2)
                case .query(let key, let amount, let bound, let subtract):
                    let answer = subtract ? try context.canSubtract(keys[key], UInt128(amount))
                        : try context.canAdd(keys[key], UInt128(amount), upTo: UInt128(bound))
                    mix(answer ? 3 : 4)
                case .read(let key):
                    let value = try context.read(keys[key])
                    mix(value.map { UInt64($0.count) << 56 ^ $0.uint64Value } ?? 0xDEAD)
                case .write(let key, let wide):
                    let amount = accumulator % 1_500
                    try context.write(keys[key], wide ? StateValue(Array(StateValue(uint64: amount).bytes + [UInt8](repeating: 0, count: 8)))
                                                      : StateValue(uint64: amount))
                case .delete(let key):
                    try context.delete(keys[key])
                }
            } catch let error as DeltaError {
                switch op {
                case .add(_, _, _, _, true), .subtract(_, _, _, true): mix(error == .belowZero(keys[0]) ? 5 : 6)
                default: throw error
                }
            }
        }
        try context.emit(Event(topic: accumulator, data: []))
    }

    /// A block of `count` programs over `universe` keys and its base state.
    static func block(_ generator: inout SplitMix64, universe: Int, count: Int) -> (InMemoryState, [any Transaction]) {
        let keys = (0..<universe).map { StateKey(0xD17A, UInt64($0), 0, 0) }
        var entries: [StateKey: StateValue] = [:]
        for key in keys where generator.next() % 4 != 0 {
            let value = generator.next() % 1_000
            entries[key] = generator.next() % 3 == 0 ? StateValue(StateValue(uint64: value).bytes + [UInt8](repeating: 0, count: 8))
                : StateValue(uint64: value)
        }
        // Fee payers: plenty of native balance.
        let payers = (0..<4).map { StateKey(0xFEE, UInt64($0), 0, 0) }
        for payer in payers { entries[payer] = StateValue(uint64: 1 << 40) }
        var transactions: [any Transaction] = []
        for _ in 0..<count {
            var ops: [Op] = []
            for _ in 0..<(1 + Int(generator.next() % 5)) {
                let key = Int(generator.next() % UInt64(universe))
                let amount = generator.next() % 400
                let bound = 300 + generator.next() % 2_000
                let wide = generator.next() % 4 == 0
                let catching = generator.next() % 2 == 0
                switch generator.next() % 20 {
                case 0..<7: ops.append(.add(key, amount, bound: bound, wide: wide, catching: catching))
                case 7..<11: ops.append(.subtract(key, amount, wide: wide, catching: catching))
                case 11..<13: ops.append(.query(key, amount, bound: bound, subtract: generator.next() % 2 == 0))
                case 13..<16: ops.append(.read(key))
                case 16..<19: ops.append(.write(key, wide: wide))
                default: ops.append(.delete(key))
                }
            }
            let payer = generator.next() % 5 == 0 ? keys[Int(generator.next() % UInt64(universe))] : payers[Int(generator.next() % 4)]
            let beneficiary: FeeBeneficiary?
            switch generator.next() % 4 {
            case 0: beneficiary = nil
            case 1: beneficiary = FeeBeneficiary(key: keys[Int(generator.next() % UInt64(universe))], byDelta: generator.next() % 2 == 0)
            default: beneficiary = FeeBeneficiary(key: StateKey(0xBE, 0, 0, 0), byDelta: true)
            }
            transactions.append(DeltaProgram(keys: keys, ops: ops, salt: generator.next(), feePayer: payer, feeBeneficiary: beneficiary))
        }
        return (InMemoryState(entries), transactions)
    }
}

final class DeltaTests: XCTestCase {
    func check(universe: Int, count: Int, blocks: Int, seedBase: UInt64) throws {
        let sequential = SequentialExecutor()
        var failures = 0
        var successes = 0
        for threads in EquivalenceTests.threadCounts {
            let parallel = try ParallelExecutor(threads: threads)
            for block in 0..<blocks {
                let seed = seedBase &+ UInt64(threads) << 32 &+ UInt64(block)
                var generator = SplitMix64(seed: seed)
                let (base, transactions) = DeltaProgram.block(&generator, universe: universe, count: count)
                let expected = sequential.execute(transactions, on: base)
                let actual = parallel.execute(transactions, on: base)
                #if DEBUG
                parallel._checkInvariants()
                #endif
                for output in expected.transactions {
                    if case .reverted(let reason) = output.status, reason.contains("delta") { failures += 1 }
                    if output.status == .success { successes += 1 }
                }
                if let difference = firstDifference(expected, actual) {
                    XCTFail("seed \(seed), \(threads) threads, \(transactions.count) txns: \(difference)")
                    return
                }
                var applied = base
                applied.apply(actual.stateDelta)
                XCTAssertEqual(applied.commitment.root, actual.stateRoot, "seed \(seed): root of the applied delta")
            }
        }
        // The property must not be vacuous: both outcomes occur.
        XCTAssertGreaterThan(failures, 0, "some delta must fail its bound")
        XCTAssertGreaterThan(successes, 0, "some program must succeed")
    }

    func testHotCounters() throws { try check(universe: 3, count: 60, blocks: 120, seedBase: 11 << 40) }

    func testSpreadCounters() throws { try check(universe: 12, count: 100, blocks: 80, seedBase: 12 << 40) }

    /// Adds only, to one key: no transaction may be re-executed, whatever the
    /// interleaving (they never conflict).
    func testAddsNeverConflict() throws {
        let key = StateKey(0xADD, 0, 0, 0)
        let transactions: [any Transaction] = (0..<400).map { index in
            DeltaProgram(keys: [key], ops: [.add(0, UInt64(index % 7 + 1), bound: .max, wide: false, catching: false)],
                         salt: UInt64(index), feePayer: nil, feeBeneficiary: nil)
        }
        let base = InMemoryState([key: StateValue(uint64: 5)])
        let expected = SequentialExecutor().execute(transactions, on: base)
        for threads in [2, 4] {
            let parallel = try ParallelExecutor(threads: threads)
            let actual = parallel.execute(transactions, on: base)
            XCTAssertNil(firstDifference(expected, actual), "\(threads) threads")
            XCTAssertEqual(parallel.lastStatistics.reexecutions(transactions: transactions.count), 0, "\(threads) threads")
        }
        let total = (0..<400).reduce(UInt64(5)) { $0 + UInt64($1 % 7 + 1) }
        XCTAssertEqual(expected.stateDelta.writes.first?.value, StateValue(uint64: total))
    }

    /// Sequential semantics of a single context, op by op.
    func testSequentialSemantics() {
        let key = StateKey(1, 2, 3, 4)
        let base = InMemoryState([key: StateValue(uint64: 100)])
        let block: [any Transaction] = [
            DeltaProgram(keys: [key], ops: [.add(0, 50, bound: 149, wide: false, catching: false)], salt: 0, feePayer: nil, feeBeneficiary: nil),
            DeltaProgram(keys: [key], ops: [.add(0, 50, bound: 150, wide: false, catching: false),
                                            .subtract(0, 151, wide: false, catching: true),
                                            .subtract(0, 150, wide: true, catching: false)], salt: 0, feePayer: nil, feeBeneficiary: nil),
        ]
        let output = SequentialExecutor().execute(block, on: base)
        XCTAssertEqual(output.transactions[0].status, .reverted(reason: String(describing: DeltaError.aboveBound(key))))
        XCTAssertEqual(output.transactions[1].status, .success)
        XCTAssertEqual(output.stateDelta.writes, [StateWrite(key: key, value: StateValue([UInt8](repeating: 0, count: 16)))])
    }
}

/// Delta chains, check records and commit-time materialization under the
/// ThreadSanitizer (`--filter ParallelExecutorTSanTests`).
extension ParallelExecutorTSanTests {
    func testDeltaBlocks() throws {
        let parallel = try ParallelExecutor(threads: 4)
        let sequential = SequentialExecutor()
        for seed in UInt64(0)..<6 {
            var generator = SplitMix64(seed: 0x7A5 << 32 | seed)
            let (base, transactions) = DeltaProgram.block(&generator, universe: 4, count: 200)
            XCTAssertNil(firstDifference(sequential.execute(transactions, on: base), parallel.execute(transactions, on: base)),
                         "seed \(0x7A5 << 32 | seed)")
        }
    }
}
