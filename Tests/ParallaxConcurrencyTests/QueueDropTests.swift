import Synchronization
import Testing
import ParallaxConcurrency

/// Counts live instances so tests can prove every element is deinitialized once.
final class Tracked: Sendable {
    static let live = Atomic<Int>(0)
    static let destroyed = Atomic<Int>(0)
    let value: Int
    init(_ value: Int) {
        self.value = value
        Tracked.live.add(1, ordering: .relaxed)
    }
    deinit {
        Tracked.live.subtract(1, ordering: .relaxed)
        Tracked.destroyed.add(1, ordering: .relaxed)
    }
}

/// Serialized: the counters are global.
@Suite(.serialized) struct QueueDropTests {
    @Test func elementsLeftInsideAreDroppedWithTheQueue() throws {
        let destroyedBefore = Tracked.destroyed.load(ordering: .relaxed)
        let liveBefore = Tracked.live.load(ordering: .relaxed)
        do {
            let queue = try MPMCQueue<Tracked>(capacity: 16)
            for value in 0..<10 { #expect(queue.tryEnqueue(Tracked(value))) }
            for value in 0..<3 { #expect(queue.tryDequeue()?.value == value) }
            #expect(Tracked.destroyed.load(ordering: .relaxed) - destroyedBefore == 3)
            #expect(Tracked.live.load(ordering: .relaxed) - liveBefore == 7)
        }
        #expect(Tracked.destroyed.load(ordering: .relaxed) - destroyedBefore == 10)
        #expect(Tracked.live.load(ordering: .relaxed) == liveBefore)
    }

    @Test func batchedElementsAreDroppedOnceAcrossThreads() throws {
        let destroyedBefore = Tracked.destroyed.load(ordering: .relaxed)
        let produced = 40_000
        let leftInside = 37
        do {
            let queue = try MPMCQueue<Tracked>(capacity: 64)
            let taken = Atomic<Int>(0)
            runThreads(4) { role in
                if role < 2 {
                    var batch: [Tracked] = []
                    for value in 0..<(produced / 2) {
                        batch.append(Tracked(value))
                        if batch.count == 8 {
                            var sent = 0
                            while sent < batch.count {
                                sent += batch.withUnsafeBufferPointer {
                                    queue.tryEnqueue(contentsOf: UnsafeBufferPointer(rebasing: $0[sent...]))
                                }
                            }
                            batch.removeAll(keepingCapacity: true)
                        }
                    }
                } else {
                    // Consumers leave up to `leftInside` elements for the queue's
                    // deinit; that many fit, so the producers always finish.
                    while taken.load(ordering: .relaxed) < produced - leftInside {
                        var out: [Tracked] = []
                        let n = queue.tryDequeue(upTo: 5, appendingTo: &out)
                        if n > 0 { taken.add(n, ordering: .relaxed) }
                    }
                }
            }
            queue._checkInvariants()
            #expect(queue.countApproximately == produced - taken.load(ordering: .relaxed))
        }
        #expect(Tracked.destroyed.load(ordering: .relaxed) - destroyedBefore == produced)
    }
}
