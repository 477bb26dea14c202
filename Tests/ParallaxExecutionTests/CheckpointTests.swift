import ParallaxExecution
import ParallaxWorkloads
import XCTest

/// A contract that makes nested calls: a random program of writes, deletes,
/// delta adds and events inside nested checkpoints, some calls reverted.
/// Values are 8-byte counters, so a plain dictionary with a stack of copies
/// (`model`) says what the write-set must be.
struct CallTreeProgram: PayerFeeTransaction {
    enum Op: Hashable, Sendable {
        case write(Int, UInt64)
        /// Reads the key and writes it plus one (a real dependency).
        case increment(Int)
        case add(Int, UInt64)
        case delete(Int)
        case emit(UInt64)
        case open
        case close(revert: Bool)
    }

    let keys: [StateKey]
    let ops: [Op]
    let payer: StateKey?
    var gasLimit: UInt64 { 1_000_000 }
    var gasPrice: UInt64 { 1 }
    var feePayer: StateKey? { payer }
    var declaredAccess: DeclaredAccess? { DeclaredAccess(writes: keys) }

    func execute(in context: ExecutionContext) throws {
        var open: [Checkpoint] = []
        for op in ops {
            switch op {
            case .write(let key, let value): try context.write(keys[key], StateValue(uint64: value))
            case .increment(let key):
                let value = try context.read(keys[key])?.uint64Value ?? 0
                try context.write(keys[key], StateValue(uint64: value &+ 1))
            case .add(let key, let amount): try context.add(keys[key], amount, upTo: UInt64.max)
            case .delete(let key): try context.delete(keys[key])
            case .emit(let topic): try context.emit(Event(topic: topic, data: []))
            case .open: open.append(context.checkpoint())
            case .close(let revert):
                guard let checkpoint = open.popLast() else { continue }
                if revert { try context.revert(to: checkpoint) } else { try context.commit(checkpoint) }
            }
        }
    }

    /// The write-set (as key -> value, nil deleted) and events the program
    /// must leave on `base`, computed without the context.
    func model(base: (StateKey) -> UInt64?) -> ([StateKey: UInt64?], [UInt64]) {
        var writes: [StateKey: UInt64?] = [:]
        var events: [UInt64] = []
        var saved: [([StateKey: UInt64?], [UInt64])] = []
        func current(_ key: StateKey) -> UInt64? { writes[key].map { $0 } ?? base(key) }
        for op in ops {
            switch op {
            case .write(let key, let value): writes[keys[key]] = .some(value)
            case .increment(let key): writes[keys[key]] = .some((current(keys[key]) ?? 0) &+ 1)
            case .add(let key, let amount): writes[keys[key]] = .some((current(keys[key]) ?? 0) + amount)
            case .delete(let key): writes[keys[key]] = .some(nil)
            case .emit(let topic): events.append(topic)
            case .open: saved.append((writes, events))
            case .close(let revert):
                guard let top = saved.popLast() else { continue }
                if revert { (writes, events) = top }
            }
        }
        return (writes, events)
    }

    static func random(_ generator: inout SplitMix64, keys: [StateKey], payer: StateKey?) -> CallTreeProgram {
        var ops: [Op] = []
        let count = 4 + Int(generator.next() % 28)
        for _ in 0..<count {
            let key = Int(generator.next() % UInt64(keys.count))
            switch generator.next() % 16 {
            case 0...2: ops.append(.write(key, generator.next() % 1_000))
            case 3...5: ops.append(.increment(key))
            case 6...7: ops.append(.add(key, generator.next() % 50))
            case 8: ops.append(.delete(key))
            case 9: ops.append(.emit(generator.next() % 8))
            case 10...12: ops.append(.open)
            default: ops.append(.close(revert: generator.next() % 2 == 0))
            }
        }
        return CallTreeProgram(keys: keys, ops: ops, payer: payer)
    }
}

final class CheckpointTests: XCTestCase {
    private func key(_ index: Int) -> StateKey { StateKey(7, UInt64(index), 0, 0) }

    private func runOne(_ body: @escaping @Sendable (ExecutionContext) throws -> Void,
                        base: InMemoryState = InMemoryState()) -> TransactionOutput {
        SequentialExecutor().execute([ExecutionContextTests.Script(feePayer: nil, body: body)], on: base).transactions[0]
    }

    func testNestedRevertRestoresValuesDeltasDeletesAndEvents() {
        let (a, b, c) = (key(1), key(2), key(3))
        let base = InMemoryState([c: StateValue(uint64: 10)])
        let output = runOne({ context in
            try context.write(a, StateValue(uint64: 1))
            let outer = context.checkpoint()
            try context.write(a, StateValue(uint64: 2))
            try context.write(b, StateValue(uint64: 3))
            try context.emit(Event(topic: 1, data: []))
            let inner = context.checkpoint()
            try context.delete(a)
            try context.add(c, UInt64(5), upTo: UInt64.max)
            try context.emit(Event(topic: 2, data: []))
            try context.revert(to: inner)
            XCTAssertEqual(try context.read(a)?.uint64Value, 2)
            XCTAssertEqual(try context.read(c)?.uint64Value, 10)
            try context.add(c, UInt64(7), upTo: UInt64.max)
            try context.revert(to: outer)
            XCTAssertEqual(try context.read(a)?.uint64Value, 1)
            XCTAssertNil(try context.read(b))
            XCTAssertEqual(try context.read(c)?.uint64Value, 10)
            try context.emit(Event(topic: 3, data: []))
        }, base: base)
        XCTAssertEqual(output.status, .success)
        XCTAssertEqual(output.writeSet, [StateWrite(key: a, value: StateValue(uint64: 1))])
        XCTAssertEqual(output.events, [Event(topic: 3, data: [])])
        let schedule = GasSchedule.builtIn
        XCTAssertGreaterThan(output.gasUsed, schedule.intrinsic + 6 * schedule.write, "a reverted call's gas stays spent")
    }

    func testCommitKeepsChangesAndClosesInnerCheckpoints() {
        let a = key(1)
        let output = runOne({ context in
            let outer = context.checkpoint()
            let inner = context.checkpoint()
            try context.write(a, StateValue(uint64: 9))
            try context.commit(outer)
            XCTAssertFalse(context.isOpen(inner))
            XCTAssertThrowsError(try context.revert(to: inner)) { XCTAssertEqual($0 as? CheckpointError, .notOpen) }
            XCTAssertThrowsError(try context.commit(outer)) { XCTAssertEqual($0 as? CheckpointError, .notOpen) }
        })
        XCTAssertEqual(output.status, .success)
        XCTAssertEqual(output.writeSet, [StateWrite(key: a, value: StateValue(uint64: 9))])
    }

    /// More keys than the linear scan covers, appended inside a checkpoint
    /// and reverted: the lookup index forgets them, and later writes land.
    func testRevertPastTheLookupIndexKeepsLookupsExact() {
        let keys = (0..<20).map(key)
        let output = runOne({ context in
            for index in 0..<4 { try context.write(keys[index], StateValue(uint64: UInt64(index))) }
            let checkpoint = context.checkpoint()
            for index in 0..<20 { try context.write(keys[index], StateValue(uint64: 100 + UInt64(index))) }
            try context.revert(to: checkpoint)
            for index in 0..<4 { XCTAssertEqual(try context.read(keys[index])?.uint64Value, UInt64(index)) }
            for index in 4..<20 { XCTAssertNil(try context.read(keys[index])) }
            for index in 2..<12 { try context.write(keys[index], StateValue(uint64: 200 + UInt64(index))) }
            for index in 2..<12 { XCTAssertEqual(try context.read(keys[index])?.uint64Value, 200 + UInt64(index)) }
        })
        XCTAssertEqual(output.status, .success)
        XCTAssertEqual(output.writeSet.count, 12)
        XCTAssertEqual(Set(output.writeSet.map(\.key)), Set(keys[0..<12]))
    }

    /// A checkpoint of an earlier transaction is refused in the next one,
    /// and one left open when the contract returns keeps its writes.
    func testCheckpointsDoNotOutliveTheirTransaction() {
        let a = key(1)
        nonisolated(unsafe) var leftOpen: Checkpoint?
        let block: [any Transaction] = [
            ExecutionContextTests.Script(feePayer: nil) { context in
                leftOpen = context.checkpoint()
                try context.write(a, StateValue(uint64: 5))
            },
            ExecutionContextTests.Script(feePayer: nil) { context in
                XCTAssertFalse(context.isOpen(leftOpen!))
                XCTAssertThrowsError(try context.revert(to: leftOpen!)) { XCTAssertEqual($0 as? CheckpointError, .notOpen) }
            },
        ]
        let output = SequentialExecutor().execute(block, on: InMemoryState())
        XCTAssertEqual(output.transactions[0].writeSet, [StateWrite(key: a, value: StateValue(uint64: 5))])
        XCTAssertEqual(output.transactions[1].status, .success)
    }

    /// Random call trees against the model, one transaction at a time.
    func testRandomCallTreesMatchTheModel() {
        let keys = (0..<6).map(key)
        for seed in 0..<UInt64(400) {
            var generator = SplitMix64(seed: 0xC4EC &+ seed)
            var entries: [StateKey: StateValue] = [:]
            for key in keys where generator.next() % 2 == 0 { entries[key] = StateValue(uint64: generator.next() % 100) }
            let base = InMemoryState(entries)
            let program = CallTreeProgram.random(&generator, keys: keys, payer: nil)
            let output = SequentialExecutor().execute([program], on: base).transactions[0]
            let (writes, events) = program.model { base.read($0)?.uint64Value }
            XCTAssertEqual(output.status, .success, "seed \(seed)")
            var actual: [StateKey: UInt64?] = [:]
            for write in output.writeSet { actual[write.key] = .some(write.value?.uint64Value) }
            XCTAssertEqual(actual, writes, "seed \(seed): \(program.ops)")
            XCTAssertEqual(output.events.map { $0.topics[0].w3 }, events, "seed \(seed)")
        }
    }

    /// Blocks of call trees over a few shared keys: every executor agrees
    /// with the sequential one (print the seed on failure).
    func testCallTreeBlocksAreIdenticalUnderEveryExecutor() throws {
        let keys = (0..<10).map(key)
        let sequential = SequentialExecutor()
        let parallel = try [1, 2, 4, 8].map { try ParallelExecutor(threads: $0) }
        let declared = try DeclaredAccessExecutor(threads: 2)
        for seed in 0..<UInt64(40) {
            var generator = SplitMix64(seed: 0xCA11 &+ seed)
            var entries: [StateKey: StateValue] = [key(99): StateValue(uint64: 1 << 40)]
            for key in keys { entries[key] = StateValue(uint64: generator.next() % 100) }
            let base = InMemoryState(entries)
            let block: [any Transaction] = (0..<150).map { _ in
                let touched = (0..<3).map { _ in keys[Int(generator.next() % UInt64(keys.count))] }
                return CallTreeProgram.random(&generator, keys: touched, payer: generator.next() % 3 == 0 ? key(99) : nil)
            }
            let expected = sequential.execute(block, on: base)
            for executor in parallel {
                XCTAssertNil(firstDifference(expected, executor.execute(block, on: base)), "seed \(seed), Block-STM \(executor.pool.count) threads")
            }
            XCTAssertNil(firstDifference(expected, declared.execute(block, on: base)), "seed \(seed), declared")
        }
    }
}
