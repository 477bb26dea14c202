import ParallaxExecution
import ParallaxWorkloads
import XCTest

/// The outcome rules of `Transaction`, checked on the sequential oracle and
/// mirrored by the parallel executor.
final class ExecutionContextTests: XCTestCase {
    struct Script: PayerFeeTransaction {
        var gasLimit: UInt64 = 100_000
        var gasPrice: UInt64 = 2
        var feePayer: StateKey?
        var gasSchedule: GasSchedule = .builtIn
        var body: @Sendable (ExecutionContext) throws -> Void

        func execute(in context: ExecutionContext) throws { try body(context) }
    }

    struct Oops: Error, CustomStringConvertible { var description: String { "oops" } }
    struct Stale: TransactionRejection {
        var rejectionReason: RejectionReason { RejectionReason(code: "nonce-too-low", detail: "seen before") }
    }

    let a = SyntheticWorkload.key(1)
    let b = SyntheticWorkload.key(2)
    let payer = SyntheticWorkload.key(3)

    func run(_ transactions: [any Transaction], base: InMemoryState) throws -> BlockOutput {
        let expected = SequentialExecutor().execute(transactions, on: base)
        let parallel = try ParallelExecutor(threads: 2).execute(transactions, on: base)
        XCTAssertNil(firstDifference(expected, parallel))
        return expected
    }

    func testSuccessChargesGasAndKeepsWritesAndEvents() throws {
        let (a, b) = (self.a, self.b)
        let base = InMemoryState([a: StateValue(uint64: 5)])
        let output = try run([Script(feePayer: nil) { context in
            let value = try context.read(a)!.uint64Value
            try context.write(b, StateValue(uint64: value + 1))
            try context.emit(Event(topic: 9, data: [1, 2, 3]))
        }], base: base)
        let result = output.transactions[0]
        XCTAssertEqual(result.status, .success)
        let expectedGas = GasSchedule.builtIn.intrinsic + GasSchedule.builtIn.read + GasSchedule.builtIn.write + 8 * GasSchedule.builtIn.perByte
            + GasSchedule.builtIn.event + 3 * GasSchedule.builtIn.perByte
        XCTAssertEqual(result.gasUsed, expectedGas)
        XCTAssertEqual(result.fee, 0, "no payer: no fee policy, nothing charged or reported")
        XCTAssertEqual(result.events, [Event(topic: 9, data: [1, 2, 3])])
        XCTAssertEqual(result.writeSet, [StateWrite(key: b, value: StateValue(uint64: 6))])
        var applied = base
        applied.apply(output.stateDelta)
        XCTAssertEqual(applied.read(b), StateValue(uint64: 6))
        XCTAssertEqual(applied.commitment.root, output.stateRoot)
    }

    func testRevertDropsWritesAndEventsButChargesTheFee() throws {
        let (a, payer) = (self.a, self.payer)
        let base = InMemoryState([payer: StateValue(uint64: 1_000_000)])
        let output = try run([Script(feePayer: payer) { context in
            try context.write(a, StateValue([1]))
            try context.emit(Event(topic: 1, data: []))
            throw Oops()
        }], base: base)
        let result = output.transactions[0]
        XCTAssertEqual(result.status, .reverted(reason: "oops"))
        XCTAssertTrue(result.events.isEmpty)
        XCTAssertEqual(result.writeSet, [StateWrite(key: payer, value: StateValue(uint64: 1_000_000 - result.fee))])
        XCTAssertGreaterThan(result.fee, 0)
    }

    func testOutOfGasUsesTheWholeLimitEvenWhenTheContractCatchesIt() throws {
        let (a, payer) = (self.a, self.payer)
        let output = try run([Script(gasLimit: 5_000, feePayer: payer) { context in
            try context.write(a, StateValue([7]))
            do { try context.chargeGas(10_000) } catch {}
            try? context.write(a, StateValue([8]))
        }], base: InMemoryState())
        let result = output.transactions[0]
        XCTAssertEqual(result.status, .outOfGas)
        XCTAssertEqual(result.gasUsed, 5_000)
        XCTAssertEqual(result.fee, 10_000)
        // The payer had nothing: the fee debit saturates at zero.
        XCTAssertEqual(result.writeSet, [StateWrite(key: payer, value: StateValue(uint64: 0))])
    }

    func testIntrinsicGasAboveTheLimitIsOutOfGasWithoutRunning() throws {
        let a = self.a
        let output = try run([Script(gasLimit: GasSchedule.builtIn.intrinsic - 1, feePayer: nil) { context in
            try context.write(a, StateValue([1]))
        }], base: InMemoryState())
        XCTAssertEqual(output.transactions[0].status, .outOfGas)
        XCTAssertEqual(output.transactions[0].gasUsed, GasSchedule.builtIn.intrinsic - 1)
        XCTAssertTrue(output.stateDelta.writes.isEmpty)
    }

    func testReadsSeeOwnWritesDeletesAndEarlierTransactions() throws {
        let (a, b) = (self.a, self.b)
        let base = InMemoryState([a: StateValue(uint64: 1), b: StateValue(uint64: 2)])
        let output = try run([
            Script(feePayer: nil) { context in
                try context.delete(a)
                guard try context.read(a) == nil else { throw Oops() }
                try context.write(b, StateValue(uint64: 20))
                guard try context.read(b) == StateValue(uint64: 20) else { throw Oops() }
            },
            Script(feePayer: nil) { context in
                guard try context.read(a) == nil, try context.read(b) == StateValue(uint64: 20) else { throw Oops() }
                try context.write(a, StateValue([]))
            },
        ], base: base)
        XCTAssertEqual(output.transactions.map(\.status), [.success, .success])
        var applied = base
        applied.apply(output.stateDelta)
        XCTAssertEqual(applied.read(a), StateValue([]), "an empty value is a value, not a deletion")
        XCTAssertEqual(applied.commitment.root, output.stateRoot)
    }

    func testRejectionLeavesNoWriteNoGasAndNoFee() throws {
        let (a, payer) = (self.a, self.payer)
        let base = InMemoryState([payer: StateValue(uint64: 1_000_000)])
        let output = try run([
            Script(feePayer: payer) { context in
                try context.write(a, StateValue([1]))
                try context.emit(Event(topic: 1, data: []))
                throw Stale()
            },
            Script(feePayer: nil) { context in
                guard try context.read(a) == nil else { throw Oops() }
            },
        ], base: base)
        let rejected = output.transactions[0]
        XCTAssertEqual(rejected.status, .rejected(RejectionReason(code: "nonce-too-low", detail: "seen before")))
        XCTAssertFalse(rejected.status.isIncluded)
        XCTAssertEqual(rejected.gasUsed, 0)
        XCTAssertEqual(rejected.fee, 0)
        XCTAssertTrue(rejected.writeSet.isEmpty && rejected.events.isEmpty)
        XCTAssertEqual(output.transactions[1].status, .success, "the next transaction does not see the rejected write")
        XCTAssertTrue(output.stateDelta.writes.isEmpty)
    }

    func testReportedFailureKeepsTheWritesAndReturnDataButDropsEvents() throws {
        let a = self.a
        let output = try run([Script(feePayer: nil, gasSchedule: .free) { context in
            try context.write(a, StateValue(uint64: 1))
            try context.emit(Event(emitter: EventWord(7), topics: [EventWord(1), EventWord(2)], data: [9]))
            try context.chargeGas(21_000)
            context.setReturnData([0xde, 0xad])
            context.reportFailure("revert")
        }], base: InMemoryState())
        let result = output.transactions[0]
        XCTAssertEqual(result.status, .failed(reason: "revert"))
        XCTAssertTrue(result.status.isIncluded)
        XCTAssertEqual(result.gasUsed, 21_000, "a free schedule charges only what the VM charges")
        XCTAssertTrue(result.events.isEmpty)
        XCTAssertEqual(result.returnData, [0xde, 0xad])
        XCTAssertEqual(result.writeSet, [StateWrite(key: a, value: StateValue(uint64: 1))])
    }

    func testFreeScheduleChargesNothingOnItsOwn() throws {
        let (a, b) = (self.a, self.b)
        let output = try run([Script(feePayer: nil, gasSchedule: .free) { context in
            _ = try context.read(a)
            try context.write(b, StateValue([1, 2, 3]))
            try context.emit(Event(topic: 1, data: [1]))
            context.setReturnData([1])
        }], base: InMemoryState())
        XCTAssertEqual(output.transactions[0].gasUsed, 0)
        XCTAssertEqual(output.transactions[0].returnData, [1])
        XCTAssertEqual(output.transactions[0].events, [Event(topics: [EventWord(1)], data: [1])])
    }
}
