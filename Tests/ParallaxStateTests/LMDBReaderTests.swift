import Foundation
import ParallaxExecution
@testable import ParallaxState
import Synchronization
import XCTest

/// `LMDBStateStore.read` keeps one read transaction per thread and renews it
/// after each commit: reads must still see every commit that returned before
/// they began, on every thread, and threads and stores may go away in any order.
final class LMDBReaderTests: XCTestCase {
    static func key(_ index: Int) -> StateKey { StateKey(UInt64(index), 0x1DB, 0, 0) }

    func openStore(_ name: String) throws -> LMDBStateStore {
        let path = try temporaryDirectory(name)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return try LMDBStateStore(path: path, durable: false)
    }

    func delta(round: UInt64, keys: Int) -> StateDelta {
        StateDelta(writes: (0..<keys).map { StateWrite(key: Self.key($0), value: StateValue(uint64: round)) })
    }

    func testReadsOnOneThreadSeeEveryCommit() throws {
        let store = try openStore("readers-one")
        XCTAssertNil(store.read(Self.key(0)))
        for round in 1...20 as ClosedRange<UInt64> {
            try store.commit(delta(round: round, keys: 4), height: BlockHeight(round))
            for index in 0..<4 { XCTAssertEqual(store.read(Self.key(index))?.uint64Value, round, "round \(round)") }
        }
        XCTAssertEqual(store.readerThreads, 1, "one thread, one reader")
    }

    /// Readers on four threads read all the time while the main thread
    /// commits: a read that begins after a commit returned sees it (each
    /// reader checks against the round published after the commit), and
    /// every value read is a whole round (one transaction's snapshot).
    func testConcurrentReadersSeeCommitsThatReturnedBeforeTheirRead() throws {
        let store = try openStore("readers-many")
        let keys = 16
        try store.commit(delta(round: 1, keys: keys), height: BlockHeight(1))
        let published = Atomic<UInt64>(1)
        let stop = Atomic<Bool>(false)
        let violations = Mutex<[String]>([])
        let threads = (0..<4).map { worker in
            Thread {
                while !stop.load(ordering: .acquiring) {
                    let floor = published.load(ordering: .acquiring)
                    for index in 0..<keys {
                        let value = store.read(Self.key(index))?.uint64Value ?? 0
                        if value < floor { violations.withLock { $0.append("worker \(worker) key \(index): \(value) < \(floor)") } }
                    }
                }
            }
        }
        for thread in threads { thread.start() }
        for round in 2...60 as ClosedRange<UInt64> {
            try store.commit(delta(round: round, keys: keys), height: BlockHeight(round))
            published.store(round, ordering: .releasing)
        }
        stop.store(true, ordering: .releasing)
        while threads.contains(where: { !$0.isFinished }) { usleep(1_000) }
        XCTAssertEqual(violations.withLock { $0 }, [])
    }

    /// A thread that read and exited leaves no transaction behind; a store
    /// closed while a thread that read is still alive is safe to leave.
    func testThreadsAndStoresEndInEitherOrder() throws {
        let store = try openStore("readers-exit")
        try store.commit(delta(round: 7, keys: 2), height: BlockHeight(1))
        let done = DispatchSemaphore(value: 0)
        for _ in 0..<3 {
            let thread = Thread {
                XCTAssertEqual(store.read(Self.key(1))?.uint64Value, 7)
                done.signal()
            }
            thread.start()
        }
        for _ in 0..<3 { done.wait() }
        // Thread exit runs the TLS destructor shortly after the signal.
        var waited = 0
        while store.readerThreads > 0 && waited < 2_000 { usleep(1_000); waited += 1 }
        XCTAssertEqual(store.readerThreads, 0, "every exited thread aborted its transaction")

        let path = try temporaryDirectory("readers-late")
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        let release = DispatchSemaphore(value: 0)
        let readDone = DispatchSemaphore(value: 0)
        let exited = DispatchSemaphore(value: 0)
        /// The thread drops its reference after reading, so the store can
        /// close while the thread (and its reader) still lives.
        final class Holder: @unchecked Sendable { var store: LMDBStateStore? }
        let holder = Holder()
        holder.store = try LMDBStateStore(path: path, durable: false)
        try holder.store!.commit(delta(round: 3, keys: 1), height: BlockHeight(1))
        weak var closed = holder.store
        let thread = Thread {
            XCTAssertEqual(holder.store?.read(Self.key(0))?.uint64Value, 3)
            holder.store = nil
            readDone.signal()
            release.wait()
            exited.signal()
        }
        thread.start()
        readDone.wait()
        XCTAssertNil(closed, "the store closed while its reader thread lives")
        release.signal()
        exited.wait()
    }
}
