import Synchronization
import ParallaxTestSupport
import Testing
@testable import ParallaxConcurrency

@Suite struct MPMCQueueTests {
    @Test(arguments: [(1, 2), (2, 2), (3, 4), (5, 8), (1000, 1024), (1024, 1024), (1025, 2048)])
    func capacityRoundsUpToAPowerOfTwo(requested: Int, expected: Int) throws {
        let queue = try MPMCQueue<Int>(capacity: requested)
        #expect(queue.capacity == expected)
        for value in 0..<expected { #expect(queue.tryEnqueue(value)) }
        #expect(!queue.tryEnqueue(-1), "a queue of capacity \(expected) accepted one more")
    }

    @Test(arguments: [0, -1, Int.min, (1 << 40) + 1])
    func invalidCapacityIsRejected(capacity: Int) {
        #expect(throws: MPMCQueueError.self) { try MPMCQueue<Int>(capacity: capacity) }
    }

    @Test func cellsNeverStraddleACacheLine() throws {
        #expect(try MPMCQueue<UInt8>(capacity: 8).cellStrideBytes == 16)
        #expect(try MPMCQueue<UInt>(capacity: 8).cellStrideBytes == 16)
        #expect(try MPMCQueue<(UInt, UInt, UInt)>(capacity: 8).cellStrideBytes == 32)
        #expect(try MPMCQueue<UInt>(capacity: 8, layout: .padded).cellStrideBytes == 64)
        #expect(try MPMCQueue<(UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)>(capacity: 8).cellStrideBytes == 128)
        #expect(try MPMCQueue<(UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)>(capacity: 8).cellStrideBytes == 256)
    }

    @Test(arguments: [MPMCQueue<Int>.Layout.packed, .padded])
    func fullAndEmptyEdges(layout: MPMCQueue<Int>.Layout) throws {
        let queue = try MPMCQueue<Int>(capacity: 4, layout: layout)
        #expect(queue.tryDequeue() == nil)
        #expect(queue.isEmptyApproximately)
        for lap in 0..<5 {
            for value in 0..<4 { #expect(queue.tryEnqueue(lap * 10 + value)) }
            #expect(queue.isFullApproximately)
            #expect(!queue.tryEnqueue(99))
            queue._checkInvariants()
            #expect(queue.countApproximately == 4)
            for value in 0..<4 { #expect(queue.tryDequeue() == lap * 10 + value) }
            #expect(queue.tryDequeue() == nil)
            queue._checkInvariants()
        }
    }

    @Test func batchesArePartialWhenRoomIsShortAndKeepOrder() throws {
        let queue = try MPMCQueue<Int>(capacity: 8)
        #expect(queue.tryEnqueue(0))
        let values = Array(1...10)
        let accepted = values.withUnsafeBufferPointer { queue.tryEnqueue(contentsOf: $0) }
        #expect(accepted == 7)
        #expect(values.withUnsafeBufferPointer { queue.tryEnqueue(contentsOf: $0) } == 0)
        queue._checkInvariants()
        var out: [Int] = []
        #expect(queue.tryDequeue(upTo: 3, appendingTo: &out) == 3)
        #expect(queue.tryDequeue(upTo: 100, appendingTo: &out) == 5)
        #expect(out == Array(0...7))
        #expect(queue.tryDequeue(upTo: 4, appendingTo: &out) == 0)
        queue._checkInvariants()
    }

    @Test func batchesWrapAroundTheRing() throws {
        let queue = try MPMCQueue<Int>(capacity: 16)
        var expected = 0
        var next = 0
        var generator = SeededGenerator(seed: 7)
        for _ in 0..<2_000 {
            let batch = (0..<Int.random(in: 1...20, using: &generator)).map { next + $0 }
            let accepted = batch.withUnsafeBufferPointer { queue.tryEnqueue(contentsOf: $0) }
            next += accepted
            var out: [Int] = []
            _ = queue.tryDequeue(upTo: Int.random(in: 1...20, using: &generator), appendingTo: &out)
            for value in out {
                #expect(value == expected)
                expected += 1
            }
            queue._checkInvariants()
        }
    }

}

/// Threaded tests run one at a time: each starts more spinning threads than
/// this machine has cores, and they back off (spin, then yield) when they fail.
@Suite(.serialized) struct MPMCQueueStressTests {
    @Test func singleProducerSingleConsumerIsFIFO() throws {
        let queue = try MPMCQueue<Int>(capacity: 64)
        let count = 200_000
        let outOfOrder = Atomic<Int>(0)
        runThreads(2) { role in
            if role == 0 {
                for value in 0..<count {
                    var backoff = Backoff()
                    while !queue.tryEnqueue(value) { backoff.snooze() }
                }
            } else {
                var expected = 0
                var backoff = Backoff()
                while expected < count {
                    if let value = queue.tryDequeue() {
                        if value != expected { outOfOrder.add(1, ordering: .relaxed) }
                        expected += 1
                        backoff.reset()
                    } else {
                        backoff.snooze()
                    }
                }
            }
        }
        #expect(outOfOrder.load(ordering: .relaxed) == 0)
        queue._checkInvariants()
    }

    /// Every element arrives exactly once, and each consumer sees every
    /// producer's elements in that producer's order (a consequence of FIFO).
    @Test(arguments: [(1, 1, 1), (2, 2, 1), (3, 1, 1), (1, 3, 1), (2, 2, 7), (3, 3, 32)])
    func everyElementArrivesExactlyOnce(producers: Int, consumers: Int, batch: Int) throws {
        let queue = try MPMCQueue<UInt64>(capacity: 128)
        let perProducer = 1_000_000 / (producers + consumers) / max(1, batch / 4)
        let total = perProducer * producers
        let consumed = Atomic<Int>(0)
        // Each consumer fills its own slot; pthread_join hands the slots to this
        // thread. (A contended Synchronization.Mutex takes its PI-futex slow path
        // inside the uninstrumented stdlib, so TSan sees no ordering through it.)
        let received = UnsafeMutableBufferPointer<[UInt64]>.allocate(capacity: consumers)
        received.initialize(repeating: [])
        defer { received.deinitialize().deallocate() }
        nonisolated(unsafe) let slots = received
        runThreads(producers + consumers) { thread in
            if thread < producers {
                var next = 0
                var values = [UInt64](repeating: 0, count: batch)
                while next < perProducer {
                    let n = min(batch, perProducer - next)
                    for i in 0..<n { values[i] = UInt64(thread) << 32 | UInt64(next + i) }
                    var sent = 0
                    var backoff = Backoff()
                    while sent < n {
                        let put = values.withUnsafeBufferPointer {
                            batch == 1 ? (queue.tryEnqueue($0[sent]) ? 1 : 0)
                                : queue.tryEnqueue(contentsOf: UnsafeBufferPointer(rebasing: $0[sent..<n]))
                        }
                        if put == 0 { backoff.snooze() } else { backoff.reset() }
                        sent += put
                    }
                    next += n
                }
            } else {
                var mine: [UInt64] = []
                var backoff = Backoff()
                while consumed.load(ordering: .relaxed) < total {
                    let before = mine.count
                    if batch == 1 {
                        if let value = queue.tryDequeue() { mine.append(value) }
                    } else {
                        _ = queue.tryDequeue(upTo: batch, appendingTo: &mine)
                    }
                    if mine.count > before {
                        consumed.add(mine.count - before, ordering: .relaxed)
                        backoff.reset()
                    } else {
                        backoff.snooze()
                    }
                }
                slots[thread - producers] = mine
            }
        }
        let all = Array(received)
        #expect(all.reduce(0) { $0 + $1.count } == total)
        var seen = [[Bool]](repeating: [Bool](repeating: false, count: perProducer), count: producers)
        var duplicates = 0
        var orderBreaks = 0
        for mine in all {
            var lastFromProducer = [Int](repeating: -1, count: producers)
            for value in mine {
                let producer = Int(value >> 32), index = Int(value & 0xFFFF_FFFF)
                if seen[producer][index] { duplicates += 1 }
                seen[producer][index] = true
                if index <= lastFromProducer[producer] { orderBreaks += 1 }
                lastFromProducer[producer] = index
            }
        }
        #expect(duplicates == 0)
        #expect(orderBreaks == 0, "a consumer saw a producer's elements out of order")
        #expect(seen.allSatisfy { $0.allSatisfy { $0 } }, "an element was lost")
        #expect(queue.tryDequeue() == nil)
        queue._checkInvariants()
    }

    @Test func blockingDequeueParksAndWakes() throws {
        let queue = try MPMCQueue<Int>(capacity: 4)
        let got = Atomic<Int>(-1)
        runThreads(2) { role in
            if role == 0 {
                got.store(queue.dequeue(), ordering: .relaxed)
            } else {
                // Long enough that the consumer exhausts its backoff and parks.
                var pause = timespec(tv_sec: 0, tv_nsec: 20_000_000)
                nanosleep(&pause, nil)
                queue.enqueue(42)
            }
        }
        #expect(got.load(ordering: .relaxed) == 42)
    }

    @Test func blockingEnqueueWaitsForRoom() throws {
        let queue = try MPMCQueue<Int>(capacity: 2)
        let count = 10_000
        let sum = Atomic<Int>(0)
        runThreads(3) { role in
            switch role {
            case 0: for value in 0..<count { queue.enqueue(value) }
            case 1: for value in 0..<count { queue.enqueue(value) }
            default: for _ in 0..<(2 * count) { sum.add(queue.dequeue(), ordering: .relaxed) }
            }
        }
        #expect(sum.load(ordering: .relaxed) == count * (count - 1))
        queue._checkInvariants()
    }

    @Test func dequeueTimesOutOnAnEmptyQueue() throws {
        let queue = try MPMCQueue<Int>(capacity: 2)
        let start = MonotonicClock.nanoseconds()
        #expect(queue.dequeue(timeoutNanoseconds: 5_000_000) == nil)
        #expect(MonotonicClock.nanoseconds() - start >= 5_000_000)
        #expect(queue.tryEnqueue(3))
        #expect(queue.dequeue(timeoutNanoseconds: 5_000_000) == 3)
    }
}

#if canImport(Glibc)
import Glibc
#endif
