import ParallaxExecution
import ParallaxWorkloads
import XCTest

/// The nonce rule of `SenderNonce`, decided by `ExecutionContext.run`: the
/// outcomes on the sequential oracle, and every executor agreeing with it on
/// random blocks where senders replay, skip and reorder their nonces.
final class NonceRuleTests: XCTestCase {
    /// `program` (or a plain script) run under a sender's nonce.
    struct Nonced: PayerFeeTransaction {
        var senderNonce: SenderNonce?
        var gasLimit: UInt64 = 100_000
        var gasPrice: UInt64 = 3
        var feePayer: StateKey?
        var declaredAccess: DeclaredAccess?
        var body: @Sendable (ExecutionContext) throws -> Void

        func execute(in context: ExecutionContext) throws { try body(context) }
    }

    struct Oops: Error, CustomStringConvertible { var description: String { "oops" } }

    let nonceKey = SyntheticWorkload.key(900)
    let payer = SyntheticWorkload.key(901)
    let a = SyntheticWorkload.key(902)

    func run(_ transactions: [any Transaction], base: InMemoryState) throws -> BlockOutput {
        let expected = SequentialExecutor().execute(transactions, on: base)
        XCTAssertNil(firstDifference(expected, try ParallelExecutor(threads: 2).execute(transactions, on: base)))
        return expected
    }

    func transaction(_ nonce: UInt64, gasLimit: UInt64 = 100_000, body: @escaping @Sendable (ExecutionContext) throws -> Void = { _ in })
        -> Nonced
    {
        Nonced(senderNonce: SenderNonce(key: nonceKey, nonce: nonce), gasLimit: gasLimit, feePayer: payer, body: body)
    }

    func testOnlyTheNextNonceRunsAndEachIncludedOneAdvancesIt() throws {
        let a = self.a
        let base = InMemoryState([payer: StateValue(uint64: 1_000_000)])
        let write: @Sendable (ExecutionContext) throws -> Void = { try $0.write(a, StateValue(uint64: 7)) }
        let output = try run([transaction(0, body: write), transaction(0, body: write), transaction(2), transaction(1)], base: base)
        XCTAssertEqual(output.transactions.map(\.status), [
            .success,
            .rejected(NonceRejection.tooLow(expected: 1, given: 0).rejectionReason),
            .rejected(NonceRejection.gap(expected: 1, given: 2).rejectionReason),
            .success,
        ])
        var applied = base
        applied.apply(output.stateDelta)
        XCTAssertEqual(applied.read(nonceKey), StateValue(uint64: 2))
        let charged = output.transactions[0].fee + output.transactions[3].fee
        XCTAssertEqual(applied.read(payer), StateValue(uint64: 1_000_000 - charged), "only the included two pay")
    }

    func testARejectedNonceWritesNothingAndPaysNothing() throws {
        let a = self.a
        let base = InMemoryState([nonceKey: StateValue(uint64: 5), payer: StateValue(uint64: 1_000)])
        let output = try run([transaction(4) { try $0.write(a, StateValue(uint64: 1)) }], base: base)
        let result = output.transactions[0]
        XCTAssertEqual(result.status, .rejected(NonceRejection.tooLow(expected: 5, given: 4).rejectionReason))
        XCTAssertEqual(result.status, .rejected(RejectionReason(code: "nonce-too-low", detail: "nonce 4 is below the sender's next nonce 5")))
        XCTAssertEqual(result.gasUsed, 0)
        XCTAssertEqual(result.fee, 0)
        XCTAssertTrue(result.writeSet.isEmpty)
        XCTAssertTrue(output.stateDelta.writes.isEmpty)
    }

    /// A revert, an out-of-gas and a gas limit below the intrinsic gas are
    /// included: each spends its nonce and pays, so replaying it is refused.
    func testEveryIncludedOutcomeSpendsTheNonce() throws {
        let a = self.a
        let base = InMemoryState([payer: StateValue(uint64: 1_000_000)])
        let output = try run([
            transaction(0) { context in
                try context.write(a, StateValue(uint64: 1))
                throw Oops()
            },
            transaction(1, gasLimit: 2_000) { try $0.chargeGas(5_000) },
            transaction(2, gasLimit: GasSchedule.builtIn.intrinsic - 1),
            transaction(2, gasLimit: GasSchedule.builtIn.intrinsic - 1),
        ], base: base)
        XCTAssertEqual(output.transactions.map(\.status), [
            .reverted(reason: "oops"), .outOfGas, .outOfGas,
            .rejected(NonceRejection.tooLow(expected: 3, given: 2).rejectionReason),
        ])
        let schedule = GasSchedule.builtIn
        let revertGas = schedule.intrinsic + schedule.write + 8 * schedule.perByte
        XCTAssertEqual(output.transactions.map(\.gasUsed), [revertGas, 2_000, schedule.intrinsic - 1, 0])
        var applied = base
        applied.apply(output.stateDelta)
        XCTAssertEqual(applied.read(nonceKey), StateValue(uint64: 3))
        XCTAssertNil(applied.read(a), "the reverted write is dropped, the nonce bump is not")
        let fees = output.transactions.reduce(0) { $0 + $1.fee }
        XCTAssertEqual(fees, 3 * (revertGas + 2_000 + schedule.intrinsic - 1))
        XCTAssertEqual(applied.read(payer), StateValue(uint64: 1_000_000 - fees))
    }

    func testTheLastNonceIsRefused() throws {
        let base = InMemoryState([nonceKey: StateValue(uint64: .max)])
        let output = try run([transaction(.max)], base: base)
        XCTAssertEqual(output.transactions[0].status, .rejected(NonceRejection.exhausted.rejectionReason))
        XCTAssertEqual(NonceRejection.exhausted.rejectionReason.code, NonceRejection.exhaustedCode)
    }

    /// Random blocks of `ProgramTransaction`s, each under one of a few
    /// senders' nonces, with replays, gaps and swapped nonces: the parallel
    /// executor (with and without declaration hints) and the declared-access
    /// executor give the sequential outputs, and the stored nonces count the
    /// included transactions.
    func testExecutorsAgreeOnRandomNonces() throws {
        let shape = ProgramBlockGenerator(universe: 12, hotProbability: 0.2, maxTransactions: 120)
        let senders = (0..<4).map { SyntheticWorkload.key(800 + $0) }
        let seedBase = UInt64.random(in: 0...UInt64.max >> 8)
        let sequential = SequentialExecutor()
        let enforcing = SequentialExecutor(enforcingDeclarations: true)
        let parallel = try ParallelExecutor(threads: 4)
        let hinted = try ParallelExecutor(threads: 3)
        hinted.declarationHints = true
        let declared = try DeclaredAccessExecutor(threads: 4)
        var rejectedTotal = 0
        for round in 0..<40 {
            let seed = seedBase &+ UInt64(round)
            var generator = SplitMix64(seed: seed)
            let base = shape.baseState(&generator)
            var next = [UInt64](repeating: 0, count: senders.count)
            var sent: [[UInt64]] = Array(repeating: [], count: senders.count)
            let block: [any Transaction] = shape.block(&generator).map { transaction in
                let program = transaction as! ProgramTransaction
                let sender = Int(generator.next() % UInt64(senders.count))
                let nonce: UInt64
                switch generator.next() % 10 {
                case 0 where !sent[sender].isEmpty: nonce = sent[sender][Int(generator.next() % UInt64(sent[sender].count))]  // replay
                case 1: nonce = next[sender] + 1 + generator.next() % 2                                                       // gap
                default:
                    nonce = next[sender]
                    next[sender] += 1
                }
                sent[sender].append(nonce)
                let declaredKeys = program.ops.compactMap { op -> StateKey? in
                    switch op {
                    case .read(let index), .write(let index), .delete(let index): program.keys[index]
                    default: nil
                    }
                }
                return Nonced(senderNonce: SenderNonce(key: senders[sender], nonce: nonce), gasLimit: program.gasLimit,
                              gasPrice: program.gasPrice, feePayer: program.feePayer,
                              declaredAccess: DeclaredAccess(writes: declaredKeys)) { try program.execute(in: $0) }
            }
            let expected = sequential.execute(block, on: base)
            let runs: [(String, BlockOutput, BlockOutput)] = [
                ("parallel", expected, parallel.execute(block, on: base)),
                ("hinted", expected, hinted.execute(block, on: base)),
                ("declared", enforcing.execute(block, on: base), declared.execute(block, on: base)),
            ]
            for (name, reference, actual) in runs {
                if let difference = firstDifference(reference, actual) {
                    XCTFail("\(name): seed \(seed) (SplitMix64), \(block.count) txns: \(difference)")
                    return
                }
            }
            var applied = base
            applied.apply(expected.stateDelta)
            var included = [UInt64](repeating: 0, count: senders.count)
            for (transaction, output) in zip(block, expected.transactions) {
                guard let nonce = transaction.senderNonce, let sender = senders.firstIndex(of: nonce.key) else { continue }
                if output.status.isIncluded {
                    XCTAssertEqual(nonce.nonce, included[sender], "seed \(seed): an included transaction carries the next nonce")
                    included[sender] += 1
                } else {
                    rejectedTotal += 1
                }
            }
            for (sender, key) in senders.enumerated() {
                XCTAssertEqual(applied.read(key)?.uint64Value ?? 0, included[sender], "seed \(seed): sender \(sender)'s stored nonce")
            }
        }
        XCTAssertGreaterThan(rejectedTotal, 0, "seeds \(seedBase)...: the blocks exercised rejections")
    }
}
