@testable import ParallaxExecution
import ParallaxWorkloads
import ParallaxConcurrency
import ParallaxTopology
import XCTest

/// A transaction that only declares (graph tests) or declares and touches
/// exactly its keys.
private struct Declared: PayerFeeTransaction {
    var access: DeclaredAccess?
    var feePayer: StateKey? = nil
    var gasLimit: UInt64 { 100_000 }
    var gasPrice: UInt64 { 1 }
    var declaredAccess: DeclaredAccess? { access }
    func execute(in context: ExecutionContext) throws {}
}

private func key(_ index: Int) -> StateKey { SyntheticWorkload.key(index + 1_000) }
private func reads(_ keys: Int...) -> Declared { Declared(access: DeclaredAccess(reads: keys.map(key))) }
private func writes(_ keys: Int...) -> Declared { Declared(access: DeclaredAccess(writes: keys.map(key))) }
private func access(reads: [Int], writes: [Int]) -> Declared {
    Declared(access: DeclaredAccess(reads: reads.map(key), writes: writes.map(key)))
}
private let undeclared = Declared(access: nil)

/// A random program with a declaration derived from the keys its ops name.
struct DeclaredProgram: PayerFeeTransaction {
    var program: ProgramTransaction
    var access: DeclaredAccess?
    var gasLimit: UInt64 { program.gasLimit }
    var gasPrice: UInt64 { program.gasPrice }
    var feePayer: StateKey? { program.feePayer }
    var declaredAccess: DeclaredAccess? { access }
    func execute(in context: ExecutionContext) throws { try program.execute(in: context) }
}

extension DependencyGraph {
    /// `lastDeclaredWriter(of:before:)` with nil for `none`.
    fileprivate func declaredWriter(of key: StateKey, before txn: UInt32) -> UInt32? {
        let writer = lastDeclaredWriter(of: key, before: txn)
        return writer == DependencyGraph.none ? nil : writer
    }
}

final class DependencyGraphTests: XCTestCase {
    fileprivate func edges(_ block: [Declared]) -> [[UInt32]] {
        let graph = DependencyGraph(block)
        #if DEBUG
        graph._checkInvariants()
        #endif
        return (0..<UInt32(block.count)).map { txn in
            XCTAssertEqual(Int(graph.predecessorCount(txn)),
                           (0..<UInt32(block.count)).filter { graph.successors(of: $0).contains(txn) }.count)
            return graph.successors(of: txn).sorted()
        }
    }

    func testChainOfWriters() {
        XCTAssertEqual(edges([writes(0), writes(0), writes(0), writes(0)]), [[1], [2], [3], []])
    }

    func testIndependentTransactionsHaveNoEdges() {
        XCTAssertEqual(edges([writes(0), writes(1), reads(2), access(reads: [3], writes: [4])]), [[], [], [], []])
    }

    func testReadersFanOutAndTheNextWriterWaitsForAllOfThem() {
        // 0 writes; 1-3 read (parallel); 4 writes after them; 5 reads after 4.
        XCTAssertEqual(edges([writes(0), reads(0), reads(0), reads(0), writes(0), reads(0)]),
                       [[1, 2, 3, 4], [4], [4], [4], [5], []])
    }

    func testReadersOfTheBaseStateDoNotWaitForEachOther() {
        XCTAssertEqual(edges([reads(0), reads(0), writes(0), reads(0)]), [[2], [2], [3], []])
    }

    func testDiamond() {
        // 0 writes A, B; 1 reads A writes C; 2 reads B writes D; 3 reads C and D.
        let block = [writes(0, 1), access(reads: [0], writes: [2]), access(reads: [1], writes: [3]), reads(2, 3)]
        XCTAssertEqual(edges(block), [[1, 2], [3], [3], []])
    }

    func testDuplicateDependenciesBecomeOneEdge() {
        // Two shared keys, a key both read and written, a key listed twice.
        let block = [writes(0, 1), access(reads: [0, 1, 1], writes: [1])]
        XCTAssertEqual(edges(block), [[1], []])
        let graph = DependencyGraph(block)
        XCTAssertEqual(graph.keyRange(of: 1).count, 2, "each key once per transaction")
        XCTAssertEqual(graph.predecessorCount(1), 1)
    }

    func testFeePayerIsADeclaredWrite() {
        var first = reads(5)
        first.feePayer = key(9)
        var second = reads(6)
        second.feePayer = key(9)
        XCTAssertEqual(edges([first, second, reads(9)]), [[1], [2], []])
    }

    func testUndeclaredTransactionIsABarrier() {
        // 3 waits for 0-2; 4 and 5 wait only for 3 (the key lists restart);
        // 6 (a second barrier) waits for 4 and 5; 7 (a third, right after) for 6.
        let block = [writes(0), writes(1), reads(0), undeclared, writes(0), reads(1), undeclared, undeclared, reads(7)]
        XCTAssertEqual(edges(block), [[2, 3], [3], [3], [4, 5], [6], [6], [7], [8], []])
    }

    func testLastDeclaredWriters() {
        let block = [writes(0), reads(0), undeclared, access(reads: [0], writes: [1]), writes(1)]
        let graph = DependencyGraph(block)
        XCTAssertNil(graph.declaredWriter(of: key(0), before: 0))
        XCTAssertEqual(graph.declaredWriter(of: key(0), before: 1), 0)
        XCTAssertEqual(graph.declaredWriter(of: key(0), before: 3), 0, "barriers do not hide declared writers")
        XCTAssertNil(graph.declaredWriter(of: key(1), before: 3))
        XCTAssertEqual(graph.declaredWriter(of: key(1), before: 4), 3)
        XCTAssertNil(graph.declaredWriter(of: key(2), before: 4), "an undeclared key has none")
    }
}

final class DeclaredAccessTests: XCTestCase {
    static let threadCounts = [1, 2, 4, 8]

    enum Mode { case exact, wide, wrong, mixed }

    /// Declarations for a random block of `ProgramTransaction`s: exact (the
    /// keys the ops name, written ones as writes), too wide (plus random
    /// extra keys), wrong (a key dropped, or a written key declared as read
    /// only), or a mix of those and undeclared transactions.
    func declare(_ block: [any Transaction], _ mode: Mode, _ generator: inout SplitMix64) -> [any Transaction] {
        block.map { transaction in
            let program = transaction as! ProgramTransaction
            var read: [StateKey] = []
            var written: [StateKey] = []
            for op in program.ops {
                switch op {
                case .read(let index): read.append(program.keys[index])
                case .write(let index), .delete(let index): written.append(program.keys[index])
                default: break
                }
            }
            var access = DeclaredAccess(reads: read, writes: written)
            var mode = mode
            if mode == .mixed {
                if generator.chance(0.1) { return DeclaredProgram(program: program, access: nil) }
                mode = [Mode.exact, .wide, .wrong][Int(generator.next() % 3)]
            }
            switch mode {
            case .exact, .mixed: break
            case .wide:
                for _ in 0..<(1 + generator.next() % 4) {
                    let extra = program.keys[Int(generator.next() % UInt64(program.keys.count))]
                    if generator.chance(0.5) { access.reads.append(extra) } else { access.writes.append(extra) }
                }
            case .wrong:
                if !access.writes.isEmpty, generator.chance(0.5) {
                    access.reads.append(access.writes.removeFirst())
                } else if !access.reads.isEmpty {
                    access.reads.removeFirst()
                } else if !access.writes.isEmpty {
                    access.writes.removeLast()
                }
            }
            return DeclaredProgram(program: program, access: access)
        }
    }

    func undeclaredFailures(_ output: BlockOutput) -> Int {
        output.transactions.count { if case .undeclaredAccess = $0.status { true } else { false } }
    }

    /// Declared == sequential enforcing declarations, and hybrid Block-STM ==
    /// sequential ignoring them, on random blocks at 1, 2, 4 and 8 threads.
    func check(_ shape: ProgramBlockGenerator, _ mode: Mode, blocks: Int, seedBase: UInt64,
               file: StaticString = #filePath, line: UInt = #line) throws -> Int {
        let enforcing = SequentialExecutor(enforcingDeclarations: true)
        let plain = SequentialExecutor()
        var failures = 0
        for threads in DeclaredAccessTests.threadCounts {
            let declared = try DeclaredAccessExecutor(threads: threads)
            let hybrid = try ParallelExecutor(threads: threads)
            hybrid.declarationHints = true
            for block in 0..<blocks {
                let seed = seedBase &+ UInt64(threads) << 32 &+ UInt64(block)
                var generator = SplitMix64(seed: seed)
                let base = shape.baseState(&generator)
                let transactions = declare(shape.block(&generator), mode, &generator)
                let expected = enforcing.execute(transactions, on: base)
                let actual = declared.execute(transactions, on: base)
                #if DEBUG
                declared._checkInvariants()
                #endif
                if let difference = firstDifference(expected, actual) {
                    XCTFail("declared: seed \(seed), \(threads) threads, \(transactions.count) txns, \(mode): \(difference)", file: file, line: line)
                    return failures
                }
                var applied = base
                applied.apply(actual.stateDelta)
                XCTAssertEqual(applied.commitment.root, actual.stateRoot, "seed \(seed): root of the applied delta", file: file, line: line)
                failures += undeclaredFailures(expected)

                let unenforced = plain.execute(transactions, on: base)
                let speculative = hybrid.execute(transactions, on: base)
                #if DEBUG
                hybrid._checkInvariants()
                #endif
                if let difference = firstDifference(unenforced, speculative) {
                    XCTFail("hybrid: seed \(seed), \(threads) threads, \(transactions.count) txns, \(mode): \(difference)", file: file, line: line)
                    return failures
                }
                if mode == .exact || mode == .wide {
                    XCTAssertNil(firstDifference(expected, unenforced), "seed \(seed): enforcing a correct declaration changed the result", file: file, line: line)
                }
            }
        }
        return failures
    }

    func testExactDeclarations() throws {
        let failures = try check(ProgramBlockGenerator(universe: 200, hotProbability: 0.2, maxTransactions: 100), .exact, blocks: 40, seedBase: 1 << 41)
        XCTAssertEqual(failures, 0)
    }

    func testTooWideDeclarations() throws {
        let failures = try check(ProgramBlockGenerator(universe: 60, hotProbability: 0.3, maxTransactions: 100), .wide, blocks: 40, seedBase: 2 << 41)
        XCTAssertEqual(failures, 0)
    }

    func testWrongDeclarationsFailDeterministically() throws {
        let failures = try check(ProgramBlockGenerator(universe: 60, hotProbability: 0.3, maxTransactions: 100), .wrong, blocks: 40, seedBase: 3 << 41)
        XCTAssertGreaterThan(failures, 100, "wrong declarations should produce undeclared-access failures")
    }

    func testMixedAndUndeclaredTransactions() throws {
        let failures = try check(ProgramBlockGenerator(universe: 40, hotProbability: 0.5, maxTransactions: 120), .mixed, blocks: 40, seedBase: 4 << 41)
        XCTAssertGreaterThan(failures, 0)
    }

    func testFullContentionChain() throws {
        _ = try check(ProgramBlockGenerator(universe: 1, hotProbability: 1, maxTransactions: 150), .exact, blocks: 15, seedBase: 5 << 41)
    }

    /// The failure status itself: a write to a key declared only for reading
    /// fails the transaction, drops its writes, keeps its fee, and a caught
    /// failure stays a failure.
    func testUndeclaredAccessStatus() throws {
        struct Sneaky: PayerFeeTransaction {
            var gasLimit: UInt64 { 100_000 }
            var gasPrice: UInt64 { 1 }
            var feePayer: StateKey? { key(0) }
            var declaredAccess: DeclaredAccess? { DeclaredAccess(reads: [key(1)], writes: [key(2)]) }
            func execute(in context: ExecutionContext) throws {
                try context.write(key(2), StateValue(uint64: 7))
                _ = try context.read(key(0))
                do { try context.write(key(1), StateValue(uint64: 1)) } catch {}
                try context.write(key(2), StateValue(uint64: 8))
            }
        }
        let base = InMemoryState([key(0): StateValue(uint64: 1_000_000)])
        let output = SequentialExecutor(enforcingDeclarations: true).execute([Sneaky()], on: base)
        XCTAssertEqual(output.transactions[0].status, .undeclaredAccess(key: key(1)))
        XCTAssertEqual(output.transactions[0].writeSet.map(\.key), [key(0)], "only the fee write survives")
        XCTAssertEqual(SequentialExecutor().execute([Sneaky()], on: base).transactions[0].status, .success)
        let declared = try DeclaredAccessExecutor(threads: 2).execute([Sneaky(), Sneaky()], on: base)
        XCTAssertEqual(declared, SequentialExecutor(enforcingDeclarations: true).execute([Sneaky(), Sneaky()], on: base))

        /// A bound check is a read; a delta is a write.
        struct DeltaOnReadKey: PayerFeeTransaction {
            var gasLimit: UInt64 { 100_000 }
            var gasPrice: UInt64 { 1 }
            var feePayer: StateKey? { nil }
            var declaredAccess: DeclaredAccess? { DeclaredAccess(reads: [key(1)], writes: [key(2)]) }
            func execute(in context: ExecutionContext) throws {
                _ = try context.canAdd(key(1), 1)
                try context.add(key(2), UInt64(5))
                try context.add(key(1), UInt64(1))
            }
        }
        let deltaOutput = SequentialExecutor(enforcingDeclarations: true).execute([DeltaOnReadKey()], on: base)
        XCTAssertEqual(deltaOutput.transactions[0].status, .undeclaredAccess(key: key(1)))
        XCTAssertEqual(SequentialExecutor().execute([DeltaOnReadKey()], on: base).transactions[0].status, .success)
    }

    /// Built-in contracts declare exactly: no undeclared-access failure, and
    /// the declared executor reproduces the sequential executor on chained blocks.
    func testBuiltInWorkloadsDeclareExactly() throws {
        for deltas in [true, false] {
            var shape = WorkloadShape()
            shape.accounts = 30
            shape.zipf = 0.8
            shape.hotShare = 0.4
            shape.deltas = deltas
            try checkBuiltIn(shape)
        }
    }

    func checkBuiltIn(_ shape: WorkloadShape) throws {
        let workloads: [any Workload] = [
            try P2PWorkload(shape), try ERC20Workload(shape), try AMMWorkload(shape, pools: 4),
            try NFTWorkload(shape), try SupplyChainWorkload(shape), try MixedWorkload(shape),
        ]
        let sequential = SequentialExecutor(enforcingDeclarations: true)
        let executors = try [1, 2, 4, 8].map { try DeclaredAccessExecutor(threads: $0) }
        let hybrid = try ParallelExecutor(threads: 4)
        hybrid.declarationHints = true
        for workload in workloads {
            var state = workload.initialState()
            for number in 0..<3 {
                let block = workload.block(number, transactions: 200)
                let expected = sequential.execute(block, on: state)
                XCTAssertEqual(undeclaredFailures(expected), 0, "\(workload.name) block \(number) touches undeclared keys")
                XCTAssertNil(firstDifference(expected, SequentialExecutor().execute(block, on: state)), "\(workload.name) block \(number)")
                for executor in executors {
                    XCTAssertNil(firstDifference(expected, executor.execute(block, on: state)),
                                 "\(workload.name) block \(number), \(executor.pool.count) threads")
                }
                XCTAssertNil(firstDifference(expected, hybrid.execute(block, on: state)), "hybrid \(workload.name) block \(number)")
                state.apply(expected.stateDelta)
            }
        }
    }

    /// A contended synthetic block (the harness measures the re-executions
    /// the hints save; here only that every executor stays exact).
    func testHintsStayCorrectUnderContention() throws {
        var parameters = SyntheticWorkload.Parameters()
        parameters.keys = 1_000
        parameters.hotProbability = 0.5
        let workload = try SyntheticWorkload(parameters)
        let block = workload.block(0, transactions: 1_000)
        let base = workload.initialState()
        let plain = try ParallelExecutor(threads: 4)
        plain.contentionHint = false
        let hybrid = try ParallelExecutor(threads: 4)
        hybrid.declarationHints = true
        let expected = SequentialExecutor().execute(block, on: base)
        XCTAssertNil(firstDifference(expected, plain.execute(block, on: base)), "plain Block-STM")
        XCTAssertNil(firstDifference(expected, hybrid.execute(block, on: base)), "hybrid")
        XCTAssertNil(firstDifference(expected, try DeclaredAccessExecutor(threads: 4).execute(block, on: base)), "declared")
    }

    /// Keys whose home is node index `home` of a two-node executor.
    private func keys(home: Int, count: Int) -> [StateKey] {
        var result: [StateKey] = []
        var index = 0
        while result.count < count {
            let key = SyntheticWorkload.key(index)
            if DeclaredAccessExecutor.homeNode(of: key, nodes: 2) == home { result.append(key) }
            index += 1
        }
        return result
    }

    /// A transaction goes to the node holding most of its declared keys (ties: the lowest).
    func testTransactionsBelongToTheNodeHoldingMostOfTheirKeys() throws {
        let zero = keys(home: 0, count: 4)
        let one = keys(home: 1, count: 4)
        let block: [any Transaction] = [
            Declared(access: DeclaredAccess(reads: [zero[0]], writes: [one[0], one[1]])),
            Declared(access: DeclaredAccess(reads: [one[2]], writes: [zero[1], zero[2]])),
            Declared(access: DeclaredAccess(writes: [zero[3], one[3]])),
        ]
        let slots = try DeclaredSlots(graph: DependencyGraph(block), nodes: [NodeID(0), NodeID(1)])
        XCTAssertEqual((0..<3).map { slots.transactionNodes[$0] }, [1, 0, 0])
        let single = try DeclaredSlots(graph: DependencyGraph(block), nodes: [nil])
        XCTAssertEqual((0..<3).map { single.transactionNodes[$0] }, [0, 0, 0])
    }

    /// Workers take their own node's ready transactions; another node's
    /// workers get them only by stealing, and the result stays exact.
    func testReadyTransactionsGoToTheirNodeFirst() throws {
        let one = keys(home: 1, count: 64)
        var generator = SplitMix64(seed: 7)
        let block: [any Transaction] = (0..<400).map { _ in
            let first = one[Int(generator.next() % 64)]
            let second = one[Int(generator.next() % 64)]
            let program = ProgramTransaction(keys: [first, second], ops: [.read(0), .write(1), .read(1), .write(0)],
                                             salt: generator.next(), gasLimit: 1_000_000, gasPrice: 0, feePayer: nil)
            return DeclaredProgram(program: program, access: DeclaredAccess(writes: [first, second]))
        }
        let expected = SequentialExecutor(enforcingDeclarations: true).execute(block, on: InMemoryState())
        let executor = try DeclaredAccessExecutor(pool: try .synthetic(nodes: [NodeID(0), NodeID(0), NodeID(1), NodeID(1)]))
        XCTAssertEqual(executor.nodes, [NodeID(0), NodeID(1)])
        for round in 0..<5 {
            XCTAssertNil(firstDifference(expected, executor.execute(block, on: InMemoryState())), "round \(round)")
            let counts = executor.lastStatistics.nodes
            XCTAssertEqual(counts.map(\.node), [NodeID(0), NodeID(1)])
            XCTAssertEqual(counts.map(\.workers), [2, 2])
            XCTAssertEqual(counts[0].executed + counts[1].executed, block.count)
            XCTAssertEqual(counts[0].stolen, counts[0].executed, "every node-1 transaction a node-0 worker ran was stolen")
            XCTAssertEqual(counts[1].stolen, 0, "node 1 has nothing to steal")
        }
        #if DEBUG
        executor._checkInvariants()
        #endif
    }

    func testAShutDownPoolFailsTheBlockAndLeavesTheExecutorUsable() throws {
        let pool = try WorkerPool(threads: 2)
        let executor = try DeclaredAccessExecutor(pool: pool)
        let keys = (0..<8).map { StateKey(UInt64($0), 0, 0, 7) }
        let block: [any Transaction] = (0..<50).map { index in
            let program = ProgramTransaction(keys: [keys[index % 8]], ops: [.read(0), .write(0)], salt: UInt64(index),
                                             gasLimit: 1_000_000, gasPrice: 0, feePayer: nil)
            return DeclaredProgram(program: program, access: DeclaredAccess(writes: [keys[index % 8]]))
        }
        let expected = SequentialExecutor(enforcingDeclarations: true).execute(block, on: InMemoryState())
        XCTAssertNil(firstDifference(expected, executor.execute(block, on: InMemoryState())))
        pool.shutdown()
        XCTAssertThrowsError(try executor.tryExecute(block, on: InMemoryState())) { error in
            guard case .workersUnavailable? = error as? ExecutorFailure else { return XCTFail("\(error)") }
        }
        let parallel = try ParallelExecutor(pool: try WorkerPool(threads: 2))
        parallel.pool.shutdown()
        XCTAssertThrowsError(try parallel.tryExecute(block, on: InMemoryState())) { error in
            guard case .workersUnavailable? = error as? ExecutorFailure else { return XCTFail("\(error)") }
        }
    }

    func testAPlainPoolLeavesMemoryUnbound() throws {
        let plain = try WorkerPool(threads: 3)
        XCTAssertEqual(plain.workerNodes, [nil, nil, nil])
        XCTAssertFalse(plain.isPinned)
        let placed = try WorkerPool.synthetic(nodes: [NodeID(0), NodeID(1)])
        XCTAssertEqual(placed.workerNodes, [NodeID(0), NodeID(1)])
        XCTAssertEqual(try DeclaredAccessExecutor(pool: placed).nodes, [NodeID(0), NodeID(1)])
        XCTAssertEqual(try DeclaredAccessExecutor(pool: plain).nodes, [nil])
    }

    /// A payment whose fee goes to one beneficiary by delta; some payments
    /// come from or go to the beneficiary itself (full accesses of its key).
    private struct FeePayment: PayerFeeTransaction {
        var from: StateKey
        var to: StateKey
        var amount: UInt64
        var beneficiary: StateKey
        var gasPrice: UInt64
        var gasLimit: UInt64 { 1_000_000 }
        var feePayer: StateKey? { from }
        var feeBeneficiary: FeeBeneficiary? { FeeBeneficiary(key: beneficiary, byDelta: true) }
        var declaredAccess: DeclaredAccess? { DeclaredAccess(writes: [from, to]) }
        struct Insufficient: Error {}
        func execute(in context: ExecutionContext) throws {
            let balance = try context.read(from)?.uint64Value ?? 0
            guard balance >= amount else { throw Insufficient() }
            try context.write(from, StateValue(uint64: balance - amount))
            let credit = try context.read(to)?.uint64Value ?? 0
            try context.write(to, StateValue(uint64: credit &+ amount))
        }
    }

    func testFeeCreditsCommuteAndStayExact() throws {
        let beneficiary = key(999)
        let accounts = (0..<20).map(key)
        let sequential = SequentialExecutor(enforcingDeclarations: true)
        let executors = try [1, 2, 4, 8].map { try DeclaredAccessExecutor(threads: $0) }
        for seed in 0..<UInt64(40) {
            var generator = SplitMix64(seed: 0xFEE0 &+ seed)
            var entries: [StateKey: StateValue] = [:]
            for account in accounts { entries[account] = StateValue(uint64: 1_000_000_000) }
            // Near the top in some blocks, so that credits overflow and are dropped until a
            // payment from the beneficiary makes room again.
            let nearTop = seed % 3 == 0
            entries[beneficiary] = StateValue(uint64: nearTop ? UInt64.max - 3_000_000 : 5)
            let base = InMemoryState(entries)
            let block: [any Transaction] = (0..<300).map { _ in
                let roll = generator.next() % 20
                let from = roll == 0 ? beneficiary : accounts[Int(generator.next() % 20)]
                let to = roll == 1 ? beneficiary : accounts[Int(generator.next() % 20)]
                return FeePayment(from: from, to: to, amount: (nearTop && roll == 0) ? 50_000_000 : generator.next() % 1_000,
                                  beneficiary: beneficiary, gasPrice: 1 + generator.next() % 50)
            }
            let expected = sequential.execute(block, on: base)
            let graph = DependencyGraph(block)
            XCTAssertTrue(graph.keyTakesCredits[Int(graph.keyID(beneficiary)!)], "seed \(seed)")
            for executor in executors {
                XCTAssertNil(firstDifference(expected, executor.execute(block, on: base)),
                             "seed \(seed), \(executor.pool.count) threads")
            }
        }
    }
}

extension DependencyGraphTests {
    /// Fee credits by delta get no edges among themselves; a later full
    /// access of the key waits for each credit since the key's last writer.
    func testFeeCreditsHaveNoEdgesButFullAccessesWaitForThem() {
        struct Paying: PayerFeeTransaction {
            var access: DeclaredAccess
            var beneficiary: StateKey
            var payer: StateKey
            var gasLimit: UInt64 { 1_000 }
            var gasPrice: UInt64 { 1 }
            var feePayer: StateKey? { payer }
            var feeBeneficiary: FeeBeneficiary? { FeeBeneficiary(key: beneficiary, byDelta: true) }
            var declaredAccess: DeclaredAccess? { access }
            func execute(in context: ExecutionContext) throws {}
        }
        let b = key(50)
        let block: [any Transaction] = [
            Paying(access: DeclaredAccess(writes: [key(1)]), beneficiary: b, payer: key(11)),    // 0: credit
            Paying(access: DeclaredAccess(writes: [key(2)]), beneficiary: b, payer: key(12)),    // 1: credit
            Paying(access: DeclaredAccess(reads: [b]), beneficiary: b, payer: key(13)),          // 2: reads b: a full write of b
            Paying(access: DeclaredAccess(writes: [key(3)]), beneficiary: b, payer: key(14)),    // 3: credit
            Paying(access: DeclaredAccess(reads: [key(4)]), beneficiary: b, payer: key(15)),     // 4: credit
        ]
        let graph = DependencyGraph(block)
        #if DEBUG
        graph._checkInvariants()
        #endif
        XCTAssertEqual(graph.successors(of: 0).map { $0 }, [2])
        XCTAssertEqual(graph.successors(of: 1).map { $0 }, [2])
        XCTAssertEqual(graph.successors(of: 2).map { $0 }, [], "credits after a writer do not wait for it")
        XCTAssertEqual(graph.successors(of: 3).map { $0 }, [])
        XCTAssertEqual((0..<5).map { graph.creditKeyOfTransaction[$0] == DependencyGraph.none }, [false, false, true, false, false])
    }
}
