import CParallaxCore
@testable import ParallaxExecution
import ParallaxConcurrency
import ParallaxWorkloads
import XCTest

/// The executor's internal structures, driven directly.
final class StructureTests: XCTestCase {
    func testKeyTableInternsOnceAndFindsAgain() throws {
        let table = try KeyTable(capacity: 256, node: nil)
        table.beginBlock()
        let arena = WordArena(chunkWords: 64, node: nil)
        let keys = (0..<100).map { SyntheticWorkload.key($0) }
        let first = keys.map { table.intern($0, arena: arena)! }
        XCTAssertTrue(first.allSatisfy(\.inserted))
        let ids = first.map(\.id)
        XCTAssertEqual(Set(ids).count, 100)
        let again = keys.map { table.intern($0, arena: arena)! }
        XCTAssertEqual(again.map(\.id), ids)
        XCTAssertFalse(again.contains(where: \.inserted), "a second intern inserts nothing")
        XCTAssertEqual(ids.map(KeyTable.key), keys)
        table._checkInvariants()
        table.beginBlock()
        XCTAssertEqual(table.intern(keys[0], arena: arena)?.inserted, true, "a new block starts empty")
    }

    func testKeyTableReportsOverflow() throws {
        let table = try KeyTable(capacity: 64, node: nil)
        table.beginBlock()
        let arena = WordArena(chunkWords: 64, node: nil)
        var inserted = 0
        var failures = 0
        for index in 0..<100 {
            if let result = table.intern(SyntheticWorkload.key(index), arena: arena) {
                if result.inserted { inserted += 1 }
            } else {
                failures += 1
            }
        }
        XCTAssertEqual(inserted, 64, "exactly the capacity fits")
        XCTAssertEqual(failures, 36)
    }

    func testVersionsReadBelowTheReaderAndHonourMarks() throws {
        let table = try KeyTable(capacity: 64, node: nil)
        table.beginBlock()
        let arena = WordArena(chunkWords: 64, node: nil)
        let values = ValueArena(worker: 0)
        let directory = ValueDirectory([values])
        defer { directory.deallocate() }
        let memory = MultiVersionMemory(values: directory)
        let id = table.intern(SyntheticWorkload.key(1), arena: arena)!.id

        XCTAssertEqual(memory.read(id, by: 5).descriptor, MultiVersionMemory.storageDescriptor)
        var nodes: [UInt32: UnsafeMutablePointer<UInt64>] = [:]
        for writer: UInt32 in [5, 2, 9] {
            let value = values.append(StateValue(uint64: UInt64(writer)))
            let (node, isNew) = memory.write(id, by: writer, word: MultiVersionMemory.versionWord(0, value), arena: arena)
            XCTAssertTrue(isNew)
            nodes[writer] = node
        }
        func seen(_ reader: UInt32) -> UInt64? {
            let (descriptor, value, _) = memory.read(id, by: reader)
            return descriptor == MultiVersionMemory.storageDescriptor ? nil : directory.value(value)?.uint64Value
        }
        XCTAssertEqual([0, 2, 3, 5, 6, 9, 10].map(seen), [nil, nil, 2, 2, 5, 5, 9])

        MultiVersionMemory.markEstimate(nodes[5]!)
        XCTAssertEqual(memory.read(id, by: 7).descriptor, MultiVersionMemory.estimateDescriptor | 5)
        XCTAssertEqual(seen(4), 2, "readers below the estimate are unaffected")
        MultiVersionMemory.markAbsent(nodes[5]!, incarnation: 1)
        XCTAssertEqual(seen(7), 2, "an absent version is skipped")
        let rewritten = values.append(nil)
        let (node, isNew) = memory.write(id, by: 5, word: MultiVersionMemory.versionWord(2, rewritten), arena: arena)
        XCTAssertEqual(node, nodes[5]!)
        XCTAssertTrue(isNew, "writing a key the previous incarnation dropped is a new location")
        XCTAssertEqual(memory.read(id, by: 7).descriptor, 6 << 32 | 2)
        XCTAssertNil(directory.value(memory.read(id, by: 7).valueID), "a deletion reads as nil")
        XCTAssertEqual(memory.finalVersion(id).map { UInt32(truncatingIfNeeded: $0) }, UInt32(truncatingIfNeeded: 2))
        XCTAssertEqual(KeyTable.writers(id).pointee, 3, "three transactions wrote the key")
        memory._checkInvariants(keys: [id], blockComplete: true)
    }

    /// A scripted single-threaded run through the paper's task protocol.
    func testSchedulerStateMachine() throws {
        let memory = try SchedulerMemory(node: nil)
        let scheduler = try memory.reset(count: 3)
        XCTAssertEqual(scheduler.nextTask(), .execute(0, 0))
        XCTAssertEqual(scheduler.nextTask(), .none, "validating 0 while it executes yields nothing")
        XCTAssertEqual(scheduler.nextTask(), .execute(1, 0))
        // Transaction 1 reads an ESTIMATE of 0 and waits; 0 finishes and wakes it as incarnation 1.
        XCTAssertTrue(scheduler.addDependency(1, 0, on: 0))
        XCTAssertEqual(scheduler.status(of: 1).state, Scheduler.aborting)
        // The finisher hands itself the waiter (Aborting → Executing directly) instead of lowering the index.
        XCTAssertEqual(scheduler.finishExecution(0, 0, wroteNewLocation: true), .execute(1, 1))
        XCTAssertEqual(scheduler.status(of: 1).incarnation, 1)
        XCTAssertEqual(scheduler.status(of: 1).state, Scheduler.executing)
        XCTAssertEqual(scheduler.nextTask(), .validate(0, 0))
        XCTAssertEqual(scheduler.finishValidation(0, aborted: false), .none)
        XCTAssertEqual(scheduler.nextTask(), .none, "validating 1 while it executes yields nothing")
        XCTAssertEqual(scheduler.nextTask(), .execute(2, 0))
        XCTAssertFalse(scheduler.addDependency(2, 0, on: 0), "0 has executed: read again instead of waiting")
        XCTAssertEqual(scheduler.status(of: 2).state, Scheduler.executing)
        // Finishing below the validation index without new locations validates at once.
        XCTAssertEqual(scheduler.finishExecution(1, 1, wroteNewLocation: false), .validate(1, 1))
        XCTAssertTrue(scheduler.tryValidationAbort(1, 1))
        XCTAssertFalse(scheduler.tryValidationAbort(1, 1), "only one validator wins the abort")
        XCTAssertEqual(scheduler.finishValidation(1, aborted: true), .execute(1, 2), "an abort re-executes at once")
        XCTAssertEqual(scheduler.finishExecution(1, 2, wroteNewLocation: false), .validate(1, 2))
        XCTAssertEqual(scheduler.finishValidation(1, aborted: false), .none)
        XCTAssertEqual(scheduler.finishExecution(2, 0, wroteNewLocation: false), .none)
        XCTAssertEqual(scheduler.nextTask(), .validate(2, 0))
        XCTAssertEqual(scheduler.finishValidation(2, aborted: false), .none)
        XCTAssertFalse(scheduler.isDone)
        XCTAssertEqual(scheduler.nextTask(), .none)
        XCTAssertTrue(scheduler.isDone)
        scheduler._checkInvariants(complete: false)
        var validated: [UInt32] = []
        scheduler.commitPrefix({ txn, _ in validated.append(txn); return true }, committed: { _ in })
        XCTAssertEqual(validated, [0, 1, 2])
        XCTAssertEqual(scheduler.committedCount, 3)
        scheduler._checkInvariants(complete: true)
        XCTAssertFalse(scheduler.tryValidationAbort(2, 0), "a committed transaction cannot be aborted")
    }

    /// Several waiters: the finisher keeps the lowest (Executing at once),
    /// the others become Ready and the execution index comes back to them.
    func testFinisherTakesTheLowestWaiter() throws {
        let memory = try SchedulerMemory(node: nil)
        let scheduler = try memory.reset(count: 4)
        for txn: UInt32 in 0..<4 {
            if txn > 0 { XCTAssertEqual(scheduler.nextTask(), .none, "validating \(txn - 1) while it executes yields nothing") }
            XCTAssertEqual(scheduler.nextTask(), .execute(txn, 0))
        }
        XCTAssertTrue(scheduler.addDependency(3, 0, on: 0))
        XCTAssertTrue(scheduler.addDependency(1, 0, on: 0))
        XCTAssertTrue(scheduler.addDependency(2, 0, on: 0))
        XCTAssertEqual(scheduler.finishExecution(0, 0, wroteNewLocation: true), .execute(1, 1))
        XCTAssertEqual(scheduler.status(of: 1).state, Scheduler.executing)
        XCTAssertEqual(scheduler.status(of: 2).state, Scheduler.ready)
        XCTAssertEqual(scheduler.status(of: 3).state, Scheduler.ready)
        XCTAssertEqual(px_atomic_load(scheduler.executionIndex, px_load_seq_cst), 2, "lowered to the lowest waiter left Ready")
        XCTAssertEqual(scheduler.nextTask(), .validate(0, 0))
        XCTAssertEqual(scheduler.finishValidation(0, aborted: false), .none)
        XCTAssertEqual(scheduler.nextTask(), .none, "1 is executing: nothing to validate yet")
        XCTAssertEqual(scheduler.nextTask(), .execute(2, 1))
        XCTAssertEqual(scheduler.nextTask(), .none)
        XCTAssertEqual(scheduler.nextTask(), .execute(3, 1))
    }

    /// A finisher that must validate itself first leaves every waiter Ready.
    func testFinisherThatValidatesLeavesWaitersReady() throws {
        let memory = try SchedulerMemory(node: nil)
        let scheduler = try memory.reset(count: 2)
        XCTAssertEqual(scheduler.nextTask(), .execute(0, 0))
        XCTAssertEqual(scheduler.nextTask(), .none)
        XCTAssertEqual(scheduler.nextTask(), .execute(1, 0))
        XCTAssertEqual(scheduler.finishExecution(0, 0, wroteNewLocation: false), .validate(0, 0))
        XCTAssertTrue(scheduler.tryValidationAbort(0, 0))
        XCTAssertEqual(scheduler.finishValidation(0, aborted: true), .execute(0, 1))
        XCTAssertTrue(scheduler.addDependency(1, 0, on: 0))
        // Validation index (1) is above 0 and no new location: 0 validates itself; 1 goes back to Ready.
        XCTAssertEqual(scheduler.finishExecution(0, 1, wroteNewLocation: false), .validate(0, 1))
        XCTAssertEqual(scheduler.status(of: 1).state, Scheduler.ready)
        XCTAssertEqual(scheduler.status(of: 1).incarnation, 1)
        XCTAssertEqual(scheduler.finishValidation(0, aborted: false), .none)
        XCTAssertEqual(scheduler.nextTask(), .execute(1, 1))
    }
}
