import ParallaxExecution
import ParallaxWorkloads
import ParallaxTopology
import XCTest

final class WorkloadTests: XCTestCase {
    func parameters(seed: UInt64) -> SyntheticWorkload.Parameters {
        var parameters = SyntheticWorkload.Parameters()
        parameters.keys = 1_000
        parameters.hotProbability = 0.25
        parameters.revertProbability = 0.3
        parameters.seed = seed
        return parameters
    }

    func testBlocksAreDeterministicPerSeedAndBlockNumber() throws {
        let first = try SyntheticWorkload(parameters(seed: 5))
        let again = try SyntheticWorkload(parameters(seed: 5))
        let other = try SyntheticWorkload(parameters(seed: 6))
        let executor = SequentialExecutor()
        let base = first.initialState()
        let output = executor.execute(first.block(3, transactions: 200), on: base)
        XCTAssertEqual(output, executor.execute(again.block(3, transactions: 200), on: base))
        XCTAssertNotEqual(output.stateRoot, executor.execute(other.block(3, transactions: 200), on: base).stateRoot)
        XCTAssertNotEqual(output.stateRoot, executor.execute(first.block(4, transactions: 200), on: base).stateRoot)
        let reverted = output.transactions.filter { $0.status == .reverted(reason: "synthetic revert") }.count
        XCTAssertTrue((30...90).contains(reverted), "about 30% of 200 revert, got \(reverted)")
    }

    /// The busy work's iteration count is machine-dependent; it must not
    /// reach the state, or a seed would not reproduce a root across machines.
    func testBusyWorkDoesNotAffectResults() throws {
        var busy = parameters(seed: 9)
        busy.workNanoseconds = 500
        let idle = try SyntheticWorkload(parameters(seed: 9))
        let working = try SyntheticWorkload(busy)
        let executor = SequentialExecutor()
        let base = idle.initialState()
        XCTAssertEqual(executor.execute(idle.block(0, transactions: 100), on: base),
                       executor.execute(working.block(0, transactions: 100), on: base))
    }

    func testFullContentionTouchesOnlyTheHotKey() throws {
        var parameters = parameters(seed: 1)
        parameters.hotProbability = 1
        let workload = try SyntheticWorkload(parameters)
        let output = SequentialExecutor().execute(workload.block(0, transactions: 50), on: workload.initialState())
        XCTAssertEqual(output.stateDelta.writes.map(\.key), [SyntheticWorkload.key(0)])
    }

    func testInvalidParametersNameTheParameter() {
        var parameters = parameters(seed: 1)
        parameters.hotProbability = 1.5
        XCTAssertThrowsError(try SyntheticWorkload(parameters)) { error in
            XCTAssertEqual((error as? WorkloadError)?.parameter, "hot-prob")
        }
        parameters = self.parameters(seed: 1)
        parameters.keys = 0
        XCTAssertThrowsError(try SyntheticWorkload(parameters)) { error in
            XCTAssertEqual((error as? WorkloadError)?.parameter, "keys")
        }
        parameters = self.parameters(seed: 1)
        parameters.workNanoseconds = -1
        XCTAssertThrowsError(try SyntheticWorkload(parameters)) { error in
            XCTAssertEqual((error as? WorkloadError)?.parameter, "work-ns")
        }
    }

    func testBusyWorkIsCalibrated() {
        XCTAssertGreaterThan(BusyWork.iterationsPerNanosecond, 0)
        XCTAssertEqual(BusyWork.iterations(forNanoseconds: 0), 0)
        XCTAssertLessThan(BusyWork.iterations(forNanoseconds: 1_000), BusyWork.iterations(forNanoseconds: 10_000))
        XCTAssertNotEqual(BusyWork.spin(iterations: 10, seed: 1), BusyWork.spin(iterations: 11, seed: 1))
    }

    func testPoolAndExecutorRejectBadSizes() {
        XCTAssertThrowsError(try WorkerPool(threads: 0)) { error in
            guard case .invalidOptions? = error as? WorkerPoolError else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try ParallelExecutor(threads: 300)) { error in
            XCTAssertEqual(error as? ParallelExecutorError, .unsupportedTeamSize(300))
        }
        XCTAssertThrowsError(try DeclaredAccessExecutor(threads: 0)) { error in
            XCTAssertEqual(error as? ParallelExecutorError, .unsupportedTeamSize(0))
        }
    }
}
