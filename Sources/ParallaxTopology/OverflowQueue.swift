import CParallaxCore
import ParallaxConcurrency

/// An unbounded FIFO behind a pthread mutex, whose length is mirrored in an
/// atomic word so that the frequent question "is anything here?" takes no lock.
///
/// `WorkerPool` puts a task here only when every inbox it tried is full, so
/// that submission never blocks (a task that submits work into a saturated
/// pool cannot deadlock it) and the lock is off the common path.
///
/// ## Invariants (checked by `_checkInvariants()` when quiescent)
/// `head <= items.count`, and the mirrored count equals `items.count - head`.
///
/// ## Memory orders
/// The elements are published by the mutex. The count is written under the
/// mutex (release) and read without it (acquire) only as a hint: a reader that
/// sees 0 while a push is in flight misses that element for now, and the
/// pool's parking protocol (a seq_cst fence on both sides) makes sure some
/// worker looks again.
final class OverflowQueue<Element>: @unchecked Sendable {
    private let mutex = PosixLock()
    /// Guarded by `mutex`; `items[head...]` are the queued elements.
    private var items: [Element] = []
    private var head = 0
    private let control: SlotArray

    init(node: NodeID? = nil) throws(SlotArrayError) {
        control = try SlotArray(count: 1, lineSize: .linePair, node: node)
    }

    private var count: UnsafeMutablePointer<UInt64> { control.word(0) }

    func push(_ element: Element) {
        mutex.lock()
        items.append(element)
        // Release pairs with the acquire loads of the count (pop, isEmptyApproximately).
        px_atomic_store(count, UInt64(items.count - head), px_store_release)
        mutex.unlock()
    }

    /// Moves up to `limit` of the oldest elements to the end of `batch`, under
    /// one lock acquisition; returns how many.
    func pop(upTo limit: Int, appendingTo batch: inout [Element]) -> Int {
        // Acquire: pairs with push's release store (a hint; the mutex publishes).
        guard limit > 0, px_atomic_load(count, px_load_acquire) != 0 else { return 0 }
        mutex.lock()
        defer { mutex.unlock() }
        let taken = Swift.min(limit, items.count - head)
        batch.append(contentsOf: items[head ..< head + taken])
        head += taken
        if head == items.count {
            items.removeAll(keepingCapacity: true)
            head = 0
        }
        px_atomic_store(count, UInt64(items.count - head), px_store_release)
        return taken
    }

    /// Elements inside, as last published (a hint while pushes or pops are in flight).
    var countApproximately: Int { Int(px_atomic_load(count, px_load_acquire)) }

    var isEmptyApproximately: Bool { px_atomic_load(count, px_load_acquire) == 0 }

    #if DEBUG
    func _checkInvariants() {
        mutex.lock()
        defer { mutex.unlock() }
        precondition(head <= items.count, "overflow head passed its end")
        precondition(px_atomic_load(count, px_load_seq_cst) == UInt64(items.count - head), "overflow count is stale")
    }
    #endif
}
