import CParallaxCore

/// A bounded, lock-free, multi-producer multi-consumer FIFO queue.
///
/// ## Algorithm
/// Dmitry Vyukov's bounded MPMC queue: a ring of `capacity` cells (a power of
/// two), each with a 64-bit sequence stamp, and two 64-bit positions, `enqueue`
/// and `dequeue`, that only grow. For the cell of position `p`:
///
///     stamp == p              free: the producer of position p may fill it
///     stamp == p + 1          full: the consumer of position p may drain it
///     stamp == p + capacity   drained: free for position p + capacity
///
/// A producer reads the stamp of the cell at the enqueue position; if it is
/// free, it claims the position with a CAS on `enqueue`, writes the element and
/// publishes the stamp `p + 1`. A consumer mirrors this on `dequeue`. Producers
/// and consumers touch the shared positions once per operation and otherwise
/// only the cell they claimed.
///
/// Batches claim a run of positions with one CAS: a producer counts the free
/// cells from its position (up to the batch size), claims exactly that many,
/// then fills and publishes them; a consumer counts published cells the same
/// way. A counted cell cannot change under the claimer: only the holder of a
/// position moves its stamp, and the CAS succeeds only if nobody else claimed
/// that position. Cells are laid out contiguously, so a batch moves whole cache
/// lines.
///
/// ## Invariants (checked by `_checkInvariants()` when quiescent)
/// - `dequeue <= enqueue <= dequeue + capacity`;
/// - positions in `dequeue ..< enqueue` hold stamp `p + 1` and an initialized element;
/// - positions in `enqueue ..< dequeue + capacity` hold stamp `p` and no element.
///
/// ## Memory orders
/// The stamp store (release) after writing or draining a cell pairs with the
/// stamp load (acquire) of the next owner of that cell: the element's
/// initialization happens-before its move-out, and the move-out happens-before
/// the next initialization. The position CAS is relaxed: it only arbitrates
/// ownership; no data is published through it.
///
/// ## Cell layout
/// A cell is the stamp followed by the element, rounded up to a power of two
/// (16, 32 or 64 bytes; a multiple of 64 beyond that) so that no cell
/// straddles a line. `.packed` keeps that size (four pointer cells per line:
/// batches move whole lines); `.padded` gives every cell its own line (no false
/// sharing between neighbouring single operations, at four times the memory
/// traffic for batches). Cells live in a `SlotArray`, on a NUMA node if asked.
///
/// ## Capacity
/// Rounded up to the next power of two, at least 2 (`capacity` reports the
/// result), so a position maps to its cell with a mask.
///
/// ## Blocking and parking
/// `enqueue(_:)`/`dequeue()` retry with `Backoff` (spin, then yield), then
/// park on a futex until the other side makes room or publishes. A parked
/// thread counts itself in a waiter word and re-checks the queue before it
/// sleeps; blocking operations issue a sequentially consistent fence between
/// their publication and their read of the waiter word, so they never miss a
/// sleeper. The `try` operations read the waiter word without that fence (a
/// full barrier on every operation would cost the fast path about a third of
/// its throughput), so a sleeper woken by them may oversleep, at most
/// `parkTimeoutNanoseconds`, before it re-checks.
///
/// ## Lifetime
/// Every element is deinitialized exactly once: by its consumer, or by the
/// queue's `deinit` if it is still inside.
public final class MPMCQueue<Element: Sendable>: @unchecked Sendable {
    public enum Layout: Sendable {
        case packed
        case padded
    }

    /// How long a parked thread sleeps before it re-checks on its own.
    public static var parkTimeoutNanoseconds: Int64 { 1_000_000 }

    /// Number of cells (a power of two).
    public let capacity: Int
    public let layout: Layout
    @usableFromInline let mask: UInt64
    /// `capacity` as a position delta (one lap of the ring).
    @usableFromInline let lap: UInt64
    @usableFromInline let cellStride: Int
    @usableFromInline let cellShift: Int
    @usableFromInline let elementOffset: Int
    @usableFromInline let cells: SlotArray
    @usableFromInline let cellBase: UnsafeMutableRawPointer
    /// Slot 0: enqueue position. Slot 1: dequeue position. Slot 2: not-empty
    /// parking (word 0: two 32-bit halves, epoch then waiters). Slot 3: not-full.
    @usableFromInline let control: SlotArray
    @usableFromInline let enqueuePosition: UnsafeMutablePointer<UInt64>
    @usableFromInline let dequeuePosition: UnsafeMutablePointer<UInt64>
    @usableFromInline let notEmpty: ParkingWord
    @usableFromInline let notFull: ParkingWord

    /// - Parameters:
    ///   - capacity: rounded up to a power of two, at least 2.
    ///   - node: NUMA node for the cells and control words (nil: no binding).
    public init(capacity: Int, layout: Layout = .packed, node: NodeID? = nil) throws(MPMCQueueError) {
        guard capacity >= 1, capacity <= 1 << 40 else { throw .invalidCapacity(capacity) }
        let rounded = capacity <= 2 ? 2 : 1 << (Int.bitWidth - (capacity - 1).leadingZeroBitCount)
        self.capacity = rounded
        self.layout = layout
        self.mask = UInt64(rounded - 1)
        self.lap = UInt64(rounded)

        let alignment = Swift.max(MemoryLayout<UInt64>.alignment, MemoryLayout<Element>.alignment)
        guard alignment <= 64 else { throw .unsupportedAlignment(alignment) }
        elementOffset = alignment
        let raw = elementOffset + MemoryLayout<Element>.size
        var stride = 16
        while stride < raw && stride < 64 { stride <<= 1 }
        if raw > 64 { stride = 1 << (Int.bitWidth - (raw - 1).leadingZeroBitCount) }
        if layout == .padded { stride = Swift.max(stride, 64) }
        cellStride = stride
        cellShift = stride.trailingZeroBitCount

        do {
            cells = try SlotArray(count: (rounded * stride + 63) / 64, lineSize: .line, node: node)
            control = try SlotArray(count: 4, lineSize: .linePair, node: node)
        } catch {
            throw .allocationFailed(error)
        }
        cellBase = cells.base
        enqueuePosition = control.word(0)
        dequeuePosition = control.word(1)
        notEmpty = ParkingWord(UnsafeMutableRawPointer(control.word(2)))
        notFull = ParkingWord(UnsafeMutableRawPointer(control.word(3)))
        for position in 0..<rounded {
            px_atomic_store(stamp(UInt64(position)), UInt64(position), px_store_relaxed)
        }
        // Publishes the initial stamps to threads that receive the queue
        // through a relaxed channel (they normally get it through a release).
        px_atomic_fence(px_fence_release)
    }

    deinit {
        var position = px_atomic_load(dequeuePosition, px_load_acquire)
        let end = px_atomic_load(enqueuePosition, px_load_acquire)
        while position != end {
            element(position).deinitialize(count: 1)
            position &+= 1
        }
    }

    // MARK: Cell addressing

    @inlinable @inline(__always)
    func cell(_ position: UInt64) -> UnsafeMutableRawPointer {
        cellBase + (Int(truncatingIfNeeded: position & mask) &<< cellShift)
    }

    @inlinable @inline(__always)
    func stamp(_ position: UInt64) -> UnsafeMutablePointer<UInt64> {
        cell(position).assumingMemoryBound(to: UInt64.self)
    }

    @inlinable @inline(__always)
    func element(_ position: UInt64) -> UnsafeMutablePointer<Element> {
        (cell(position) + elementOffset).assumingMemoryBound(to: Element.self)
    }

    /// Copies `value` into the cell of `position`, completely, before the
    /// caller publishes the cell.
    ///
    /// For elements with reference counts the copy includes a retain, and
    /// Swift's ARC optimizer may sink a retain below a later atomic store that
    /// it does not treat as a barrier: the consumer could then release the
    /// element before the producer's retain lands (seen: "deallocated with
    /// non-zero retain count"). The copy of such elements therefore happens
    /// inside a function that is never inlined, so the retain is complete when
    /// it returns. Plain-data elements need no retain and stay inline.
    @inlinable @inline(__always)
    func store(_ value: Element, at position: UInt64) {
        if _isPOD(Element.self) {
            element(position).initialize(to: value)
        } else {
            Self.copyOutOfLine(value, to: element(position))
        }
    }

    @usableFromInline @inline(never)
    static func copyOutOfLine(_ value: Element, to destination: UnsafeMutablePointer<Element>) {
        destination.initialize(to: value)
    }

    // MARK: Non-blocking operations

    /// Appends `element` unless the queue is full. Lock-free.
    @inlinable @inline(__always)
    public func tryEnqueue(_ newElement: Element) -> Bool {
        // Relaxed: the stamp's acquire load below orders everything we touch.
        var position = px_atomic_load(enqueuePosition, px_load_relaxed)
        while true {
            // Acquire pairs with the release stamp store of the consumer that
            // drained this cell a lap ago (its move-out happens-before our write).
            let stampValue = px_atomic_load(stamp(position), px_load_acquire)
            let lag = Int64(bitPattern: stampValue &- position)
            if lag == 0 {
                // Relaxed CAS: it only arbitrates who owns the position.
                let found = px_atomic_cas_value(enqueuePosition, position, position &+ 1, px_rmw_relaxed)
                if found == position {
                    store(newElement, at: position)
                    // Release pairs with the consumer's acquire stamp load.
                    px_atomic_store(stamp(position), position &+ 1, px_store_release)
                    notEmpty.wakeIfWaiting(fenced: false)
                    return true
                }
                position = found
            } else if lag < 0 {
                return false
            } else {
                position = px_atomic_load(enqueuePosition, px_load_relaxed)
            }
        }
    }

    /// Removes the oldest element, or returns nil if the queue is empty. Lock-free.
    @inlinable @inline(__always)
    public func tryDequeue() -> Element? {
        var position = px_atomic_load(dequeuePosition, px_load_relaxed)
        while true {
            // Acquire pairs with the producer's release stamp store.
            let stampValue = px_atomic_load(stamp(position), px_load_acquire)
            let lag = Int64(bitPattern: stampValue &- (position &+ 1))
            if lag == 0 {
                let found = px_atomic_cas_value(dequeuePosition, position, position &+ 1, px_rmw_relaxed)
                if found == position {
                    let value = element(position).move()
                    // Release pairs with the acquire stamp load of the producer
                    // of position + capacity.
                    px_atomic_store(stamp(position), position &+ lap, px_store_release)
                    notFull.wakeIfWaiting(fenced: false)
                    return value
                }
                position = found
            } else if lag < 0 {
                return nil
            } else {
                position = px_atomic_load(dequeuePosition, px_load_relaxed)
            }
        }
    }

    /// Appends a prefix of `elements`, as long as the queue has room, claiming
    /// the cells with one atomic operation. Returns how many were appended
    /// (0 when full); they keep their order and are not interleaved with other
    /// producers' elements.
    @inlinable
    public func tryEnqueue(contentsOf elements: UnsafeBufferPointer<Element>) -> Int {
        guard let source = elements.baseAddress, !elements.isEmpty else { return 0 }
        var position = px_atomic_load(enqueuePosition, px_load_relaxed)
        while true {
            var free = 0
            while free < elements.count {
                let target = position &+ UInt64(free)
                // Acquire: as in tryEnqueue, per cell.
                guard px_atomic_load(stamp(target), px_load_acquire) == target else { break }
                free += 1
            }
            if free == 0 {
                let lag = Int64(bitPattern: px_atomic_load(stamp(position), px_load_acquire) &- position)
                if lag < 0 { return 0 }
                position = px_atomic_load(enqueuePosition, px_load_relaxed)
                continue
            }
            let found = px_atomic_cas_value(enqueuePosition, position, position &+ UInt64(free), px_rmw_relaxed)
            if found == position {
                for offset in 0..<free {
                    let target = position &+ UInt64(offset)
                    store(source[offset], at: target)
                    // Release pairs with the consumer's acquire stamp load.
                    px_atomic_store(stamp(target), target &+ 1, px_store_release)
                }
                notEmpty.wakeIfWaiting(fenced: false)
                return free
            }
            position = found
        }
    }

    /// Moves up to `buffer.count` of the oldest elements into the uninitialized
    /// memory of `buffer`, claiming them with one atomic operation. Returns how
    /// many it moved (0 when empty); `buffer[0..<n]` is then initialized and
    /// owned by the caller.
    @inlinable
    public func tryDequeue(into buffer: UnsafeMutableBufferPointer<Element>) -> Int {
        guard let destination = buffer.baseAddress, !buffer.isEmpty else { return 0 }
        var position = px_atomic_load(dequeuePosition, px_load_relaxed)
        while true {
            var ready = 0
            while ready < buffer.count {
                let target = position &+ UInt64(ready)
                // Acquire pairs with the producer's release stamp store.
                guard px_atomic_load(stamp(target), px_load_acquire) == target &+ 1 else { break }
                ready += 1
            }
            if ready == 0 {
                let lag = Int64(bitPattern: px_atomic_load(stamp(position), px_load_acquire) &- (position &+ 1))
                if lag < 0 { return 0 }
                position = px_atomic_load(dequeuePosition, px_load_relaxed)
                continue
            }
            let found = px_atomic_cas_value(dequeuePosition, position, position &+ UInt64(ready), px_rmw_relaxed)
            if found == position {
                for offset in 0..<ready {
                    let target = position &+ UInt64(offset)
                    (destination + offset).initialize(to: element(target).move())
                    // Release pairs with the next lap's producer.
                    px_atomic_store(stamp(target), target &+ lap, px_store_release)
                }
                notFull.wakeIfWaiting(fenced: false)
                return ready
            }
            position = found
        }
    }

    /// Appends the oldest elements, up to `maxCount`, to `array`. Returns how many.
    @inlinable
    public func tryDequeue(upTo maxCount: Int, appendingTo array: inout [Element]) -> Int {
        guard maxCount > 0 else { return 0 }
        let batch = [Element](unsafeUninitializedCapacity: maxCount) { buffer, initialized in
            initialized = tryDequeue(into: buffer)
        }
        array.append(contentsOf: batch)
        return batch.count
    }

    // MARK: Blocking operations

    /// Appends `element`, waiting (spin, yield, then park) while the queue is full.
    public func enqueue(_ newElement: Element) {
        var backoff = Backoff()
        while !tryEnqueue(newElement) {
            if backoff.isCompleted {
                notFull.park(timeoutNanoseconds: Self.parkTimeoutNanoseconds) { !self.isFullApproximately }
            } else {
                backoff.snooze()
            }
        }
        notEmpty.wakeIfWaiting(fenced: true)
    }

    /// Removes the oldest element, waiting (spin, yield, then park) while the queue is empty.
    public func dequeue() -> Element {
        var backoff = Backoff()
        while true {
            if let value = tryDequeue() {
                notFull.wakeIfWaiting(fenced: true)
                return value
            }
            if backoff.isCompleted {
                notEmpty.park(timeoutNanoseconds: Self.parkTimeoutNanoseconds) { !self.isEmptyApproximately }
            } else {
                backoff.snooze()
            }
        }
    }

    /// Like `dequeue()`, but gives up after `timeoutNanoseconds` and returns nil.
    public func dequeue(timeoutNanoseconds: Int64) -> Element? {
        let deadline = MonotonicClock.nanoseconds() &+ timeoutNanoseconds
        var backoff = Backoff()
        while true {
            if let value = tryDequeue() {
                notFull.wakeIfWaiting(fenced: true)
                return value
            }
            let now = MonotonicClock.nanoseconds()
            if now >= deadline { return nil }
            if backoff.isCompleted {
                notEmpty.park(timeoutNanoseconds: Swift.min(deadline - now, Self.parkTimeoutNanoseconds)) {
                    !self.isEmptyApproximately
                }
            } else {
                backoff.snooze()
            }
        }
    }

    // MARK: Observation

    /// Elements inside, exact only when no operation is in flight.
    public var countApproximately: Int {
        let tail = px_atomic_load(enqueuePosition, px_load_acquire)
        let head = px_atomic_load(dequeuePosition, px_load_acquire)
        return tail >= head ? Swift.min(Int(tail &- head), capacity) : 0
    }

    public var isEmptyApproximately: Bool {
        let head = px_atomic_load(dequeuePosition, px_load_acquire)
        return px_atomic_load(stamp(head), px_load_acquire) != head &+ 1
    }

    public var isFullApproximately: Bool {
        let tail = px_atomic_load(enqueuePosition, px_load_acquire)
        return px_atomic_load(stamp(tail), px_load_acquire) != tail
    }

    /// Bytes between consecutive cells (a power of two, at least 16).
    public var cellStrideBytes: Int { cellStride }

    #if DEBUG
    /// Checks the invariants of the type's documentation. Call only while no
    /// operation is in flight.
    public func _checkInvariants() {
        let head = px_atomic_load(dequeuePosition, px_load_seq_cst)
        let tail = px_atomic_load(enqueuePosition, px_load_seq_cst)
        precondition(head <= tail, "dequeue position \(head) passed enqueue position \(tail)")
        precondition(tail - head <= UInt64(capacity), "more than capacity inside: \(tail - head)")
        var position = head
        while position != tail {
            precondition(px_atomic_load(stamp(position), px_load_seq_cst) == position + 1,
                         "occupied position \(position) is not stamped full")
            position += 1
        }
        while position != head + UInt64(capacity) {
            precondition(px_atomic_load(stamp(position), px_load_seq_cst) == position,
                         "free position \(position) is not stamped free")
            position += 1
        }
        precondition(Int(bitPattern: cellBase) % 64 == 0, "cells are not line-aligned")
    }
    #endif
}

/// Why an `MPMCQueue` could not be created.
public enum MPMCQueueError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The capacity is not a power of two of at least 2 (the value given).
    case invalidCapacity(Int)
    /// The element's alignment exceeds a cache line (the alignment).
    case unsupportedAlignment(Int)
    /// The slot memory could not be allocated.
    case allocationFailed(SlotArrayError)

    public var description: String {
        switch self {
        case .invalidCapacity(let capacity):
            "queue capacity must be between 1 and 2^40, got \(capacity)"
        case .unsupportedAlignment(let alignment):
            "queue elements aligned to \(alignment) bytes are not supported (at most 64)"
        case .allocationFailed(let error):
            "queue memory: \(error)"
        }
    }
}
