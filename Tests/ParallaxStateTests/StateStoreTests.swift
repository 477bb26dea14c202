import Foundation
import ParallaxExecution
import ParallaxState
import ParallaxWorkloads
import XCTest

/// A fresh directory under the system temporary directory.
func temporaryDirectory(_ name: String) throws -> String {
    let path = NSTemporaryDirectory() + "parallax-\(name)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

final class StateStoreTests: XCTestCase {
    func erc20(accounts: Int = 50) throws -> ERC20Workload {
        var shape = WorkloadShape()
        shape.accounts = accounts
        shape.seed = 3
        return try ERC20Workload(shape)
    }

    /// Both stores, fresh, holding the workload's genesis state.
    func stores(_ workload: ERC20Workload) throws -> [(String, any StateStore)] {
        let path = try temporaryDirectory("store")
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return [("memory", InMemoryStateStore(genesis: workload.initialState())),
                ("lmdb", try LMDBStateStore(path: path, genesis: workload.initialState()))]
    }

    func testCommitsMatchInMemoryReplayAndParallelRoot() throws {
        let workload = try erc20()
        let parallel = try ParallelExecutor(threads: 2)
        for (name, store) in try stores(workload) {
            var reference = workload.initialState()
            XCTAssertEqual(store.height, .genesis, name)
            XCTAssertEqual(store.stateRoot, reference.commitment.root, name)
            for number in 1...8 {
                let block = workload.block(number, transactions: 60)
                let sequential = SequentialExecutor().execute(block, on: store)
                let output = parallel.execute(block, on: store)
                XCTAssertEqual(output, sequential, "\(name) block \(number)")
                let root = try store.commit(output.stateDelta, height: BlockHeight(UInt64(number)), expectedRoot: output.stateRoot)
                reference.apply(sequential.stateDelta)
                XCTAssertEqual(root, reference.commitment.root, "\(name) block \(number)")
                XCTAssertEqual(store.height, BlockHeight(UInt64(number)), name)
                for write in output.stateDelta.writes { XCTAssertEqual(store.read(write.key), write.value, name) }
            }
            // From scratch, the root of the final state is the incrementally kept one.
            XCTAssertEqual(InMemoryState(reference.entries).commitment.root, store.stateRoot, name)
        }
    }

    func testReplayAndSkipAreRefusedAndChangeNothing() throws {
        let workload = try erc20()
        for (name, store) in try stores(workload) {
            let output = SequentialExecutor().execute(workload.block(1, transactions: 20), on: store)
            try store.commit(output.stateDelta, height: BlockHeight(1), expectedRoot: output.stateRoot)
            let rootAfterOne = store.stateRoot
            XCTAssertThrowsError(try store.commit(output.stateDelta, height: BlockHeight(1), expectedRoot: nil), name) { error in
                XCTAssertEqual(error as? StateStoreError, .unexpectedHeight(expected: BlockHeight(2), given: BlockHeight(1)), name)
                XCTAssertTrue("\(error)".contains("already committed"), "\(error)")
            }
            XCTAssertThrowsError(try store.commit(output.stateDelta, height: BlockHeight(3), expectedRoot: nil), name) { error in
                XCTAssertEqual(error as? StateStoreError, .unexpectedHeight(expected: BlockHeight(2), given: BlockHeight(3)), name)
            }
            // A delta executed against another state: its root does not match.
            let stale = SequentialExecutor().execute(workload.block(2, transactions: 20), on: workload.initialState())
            let next = SequentialExecutor().execute(workload.block(2, transactions: 20), on: store)
            if stale.stateRoot != next.stateRoot {
                XCTAssertThrowsError(try store.commit(next.stateDelta, height: BlockHeight(2), expectedRoot: stale.stateRoot), name) { error in
                    guard case .stateRootMismatch(let height, _, _) = error as? StateStoreError else { return XCTFail("\(error)") }
                    XCTAssertEqual(height, BlockHeight(2))
                }
            }
            XCTAssertEqual(store.height, BlockHeight(1), name)
            XCTAssertEqual(store.stateRoot, rootAfterOne, name)
        }
    }

    func testDeletesAndEmptyValuesRoundTrip() throws {
        let path = try temporaryDirectory("delete")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let a = StateKey(1, 2, 3, 4), b = StateKey(5, 6, 7, 8)
        let long = StateValue(Array(0..<200))
        let store = try LMDBStateStore(path: path, genesis: InMemoryState([a: StateValue(uint64: 9)]))
        try store.commit(StateDelta(writes: [StateWrite(key: a, value: nil), StateWrite(key: b, value: long)]), height: BlockHeight(1), expectedRoot: nil)
        try store.commit(StateDelta(writes: [StateWrite(key: a, value: StateValue([]))]), height: BlockHeight(2), expectedRoot: nil)
        XCTAssertEqual(store.read(a), StateValue([]))
        XCTAssertEqual(store.read(b), long)
        XCTAssertEqual(store.stateRoot, InMemoryState([a: StateValue([]), b: long]).commitment.root)
    }

    func testReopenKeepsHeightRootAndEntries() throws {
        let workload = try erc20()
        let path = try temporaryDirectory("reopen")
        defer { try? FileManager.default.removeItem(atPath: path) }
        var reference = workload.initialState()
        do {
            let store = try LMDBStateStore(path: path, genesis: workload.initialState())
            for number in 1...5 {
                let output = SequentialExecutor().execute(workload.block(number, transactions: 40), on: store)
                try store.commit(output.stateDelta, height: BlockHeight(UInt64(number)), expectedRoot: output.stateRoot)
                reference.apply(output.stateDelta)
            }
        }
        // Reopened with a different genesis: the stored state wins.
        let reopened = try LMDBStateStore(path: path, genesis: InMemoryState())
        XCTAssertEqual(reopened.height, BlockHeight(5))
        XCTAssertEqual(reopened.stateRoot, reference.commitment.root)
        XCTAssertEqual(try reopened.allEntries(), reference.entries)
        XCTAssertThrowsError(try reopened.commit(StateDelta(writes: []), height: BlockHeight(5), expectedRoot: nil))
    }

    func testOpeningAMissingDirectoryNamesIt() {
        XCTAssertThrowsError(try LMDBStateStore(path: "/nonexistent/parallax-store")) { error in
            guard case .lmdb(let operation, _, _) = error as? StateStoreError else { return XCTFail("\(error)") }
            XCTAssertTrue(operation.contains("/nonexistent/parallax-store"), operation)
        }
    }
}
