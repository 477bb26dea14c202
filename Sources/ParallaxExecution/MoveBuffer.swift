/// A growable buffer owned by one worker whose elements are handed over by
/// moving them (a memcpy, no reference counting) into the block's output.
///
/// The executor's gather step runs on one thread after the workers finish;
/// copying the workers' `Array`s would retain and release every value from
/// that thread, pulling each reference count's cache line across cores.
final class MoveBuffer<Element> {
    private var storage: UnsafeMutablePointer<Element>
    private var capacity: Int
    private(set) var count = 0
    /// Keeps other workers' objects off this one's lines (see `LinePadding`).
    private let padding = LinePadding()

    init(capacity: Int = 64) {
        self.capacity = Swift.max(capacity, 1)
        storage = .allocate(capacity: self.capacity)
    }

    deinit {
        storage.deinitialize(count: count)
        storage.deallocate()
    }

    @inline(__always)
    func append(_ element: consuming Element) {
        if count == capacity { grow() }
        (storage + count).initialize(to: element)
        count += 1
    }

    private func grow() {
        let larger = UnsafeMutablePointer<Element>.allocate(capacity: capacity * 2)
        larger.moveInitialize(from: storage, count: count)
        storage.deallocate()
        storage = larger
        capacity *= 2
    }

    /// Moves every element to `destination` (uninitialized memory) and empties the buffer.
    func moveAll(to destination: UnsafeMutablePointer<Element>) {
        destination.moveInitialize(from: storage, count: count)
        count = 0
    }

    /// Destroys every element.
    func removeAll() {
        storage.deinitialize(count: count)
        count = 0
    }
}
