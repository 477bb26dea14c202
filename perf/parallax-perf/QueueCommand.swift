import ArgumentParser
import CPerfBaselines
import Parallax
import ParallaxConcurrency
import Synchronization

/// `parallax-perf queue`: items per second through MPMCQueue, a Mutex-guarded
/// ring and Concurrency Kit's ck_ring, side by side in one process.
struct QueueCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "queue",
        abstract: "Queue throughput: MPMCQueue vs a Mutex ring vs ck_ring (MPMC).",
        discussion: """
            With --consumers 0 one thread enqueues and dequeues in turn. With --batch N \
            MPMCQueue and the Mutex ring move up to N items per call; ck_ring has no MPMC \
            batch operation and always moves single items, so its figure is the single-item \
            baseline. Each implementation runs --repeat times, interleaved, and the median is \
            reported.
            """
    )

    @Option(help: "Producer threads.") var producers: Int = 1
    @Option(help: "Consumer threads (0: one thread enqueues and dequeues in turn).") var consumers: Int = 1
    @Option(help: "Items per enqueue/dequeue call (MPMCQueue and Mutex ring).") var batch: Int = 1
    @Option(help: "Items moved per run.") var items: Int = 10_000_000
    @Option(help: "Ring capacity (a power of two).") var capacity: Int = 1024
    @Option(help: "Runs per implementation; the median is reported.") var `repeat`: Int = 5
    @Option(help: "MPMCQueue cell layout: packed or padded.") var layout: String = "packed"
    @Flag(help: "Print JSON objects, one per line.") var json = false

    func validate() throws {
        guard producers >= 1 else { throw ValidationError("--producers must be at least 1") }
        guard consumers >= 0 else { throw ValidationError("--consumers must be 0 or more") }
        guard consumers > 0 || producers == 1 else {
            throw ValidationError("--consumers 0 means one thread in turn: use --producers 1")
        }
        guard batch >= 1, batch <= capacity else { throw ValidationError("--batch must be between 1 and --capacity") }
        guard items >= 1 else { throw ValidationError("--items must be at least 1") }
        guard capacity >= 4, capacity.nonzeroBitCount == 1 else {
            throw ValidationError("--capacity must be a power of two, at least 4 (ck_ring needs one)")
        }
        guard `repeat` >= 1 else { throw ValidationError("--repeat must be at least 1") }
        guard layout == "packed" || layout == "padded" else {
            throw ValidationError("--layout must be packed or padded, not '\(layout)'")
        }
    }

    func run() throws {
        let shape = QueueShape(producers: producers, consumers: consumers, batch: batch, items: items, capacity: capacity)
        let queueLayout: MPMCQueue<UInt>.Layout = layout == "padded" ? .padded : .packed
        var samples: [String: [Double]] = [:]
        let impls = ["parallax_mpmc", "mutex_ring", "ck_ring"]
        for _ in 0..<`repeat` {
            for impl in impls {
                let seconds: Double
                switch impl {
                case "parallax_mpmc": seconds = try shape.runParallax(layout: queueLayout)
                case "mutex_ring": seconds = shape.runMutexRing()
                default: seconds = try shape.runCKRing()
                }
                samples[impl, default: []].append(Double(items) / seconds)
            }
        }
        let medians = samples.mapValues { $0.sorted()[$0.count / 2] }
        for impl in impls {
            let rate = medians[impl]!
            let implBatch = impl == "ck_ring" ? 1 : batch
            if json {
                print(#"{"impl":"\#(impl)","producers":\#(producers),"consumers":\#(consumers),"batch":\#(implBatch),"capacity":\#(capacity),"items":\#(items),"runs":\#(`repeat`),"ops_per_sec":\#(Int(rate))}"#)
            } else {
                print("\(impl.padding(toLength: 14))  \(producers)P\(consumers)C  batch \(implBatch)  \(formatRate(rate)) items/s")
            }
        }
        let versusCK = medians["parallax_mpmc"]! / medians["ck_ring"]!
        let versusMutex = medians["parallax_mpmc"]! / medians["mutex_ring"]!
        if json {
            print(#"{"ratios":{"parallax_mpmc_vs_ck_ring":\#(rounded(versusCK)),"parallax_mpmc_vs_mutex_ring":\#(rounded(versusMutex))},"layout":"\#(layout)"}"#)
        } else {
            print("ratio parallax_mpmc / ck_ring    \(rounded(versusCK))")
            print("ratio parallax_mpmc / mutex_ring \(rounded(versusMutex))")
        }
    }
}

func rounded(_ value: Double, _ digits: Double = 1000) -> Double { (value * digits).rounded() / digits }

func formatRate(_ rate: Double) -> String {
    rate >= 1e6 ? "\(rounded(rate / 1e6, 100)) M" : "\(rounded(rate / 1e3, 100)) k"
}

extension String {
    func padding(toLength length: Int) -> String {
        count >= length ? self : self + String(repeating: " ", count: length - count)
    }
}

/// A queue implementation as the benchmark drives it.
protocol BenchQueue: Sendable {
    func put(_ values: UnsafeBufferPointer<UInt>) -> Int
    func take(_ buffer: UnsafeMutableBufferPointer<UInt>) -> Int
    func putOne(_ value: UInt) -> Bool
    func takeOne() -> UInt?
}

extension MPMCQueue: BenchQueue where Element == UInt {
    func putOne(_ value: UInt) -> Bool { tryEnqueue(value) }
    func takeOne() -> UInt? { tryDequeue() }
    func put(_ values: UnsafeBufferPointer<UInt>) -> Int {
        values.count == 1 ? (tryEnqueue(values[0]) ? 1 : 0) : tryEnqueue(contentsOf: values)
    }
    func take(_ buffer: UnsafeMutableBufferPointer<UInt>) -> Int {
        if buffer.count == 1 {
            guard let value = tryDequeue() else { return 0 }
            buffer.initializeElement(at: 0, to: value)
            return 1
        }
        return tryDequeue(into: buffer)
    }
}

/// The mutex baseline: a power-of-two ring guarded by one `Mutex`.
final class MutexRing: BenchQueue {
    struct Storage {
        var slots: [UInt]
        var head = 0
        var tail = 0
    }
    let state: Mutex<Storage>
    let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
        state = Mutex(Storage(slots: [UInt](repeating: 0, count: capacity)))
    }

    func putOne(_ value: UInt) -> Bool {
        state.withLock { ring in
            guard ring.tail - ring.head < capacity else { return false }
            ring.slots[ring.tail & (capacity - 1)] = value
            ring.tail += 1
            return true
        }
    }

    func takeOne() -> UInt? {
        state.withLock { ring in
            guard ring.tail > ring.head else { return nil }
            defer { ring.head += 1 }
            return ring.slots[ring.head & (capacity - 1)]
        }
    }

    func put(_ values: UnsafeBufferPointer<UInt>) -> Int {
        state.withLock { ring in
            let room = Swift.min(capacity - (ring.tail - ring.head), values.count)
            for offset in 0..<room { ring.slots[(ring.tail + offset) & (capacity - 1)] = values[offset] }
            ring.tail += room
            return room
        }
    }

    func take(_ buffer: UnsafeMutableBufferPointer<UInt>) -> Int {
        state.withLock { ring in
            let available = Swift.min(ring.tail - ring.head, buffer.count)
            for offset in 0..<available { buffer[offset] = ring.slots[(ring.head + offset) & (capacity - 1)] }
            ring.head += available
            return available
        }
    }
}

struct QueueShape {
    let producers: Int
    let consumers: Int
    let batch: Int
    let items: Int
    let capacity: Int

    /// Sum of every item the producers send: producer p sends (p << 40) + 1 ... + count.
    var expectedSum: UInt {
        (0..<producers).reduce(0) { sum, producer in
            let count = UInt(share(of: producer))
            return sum &+ (UInt(producer) << 40) &* count &+ count &* (count + 1) / 2
        }
    }

    func share(of producer: Int) -> Int { items / producers + (producer == 0 ? items % producers : 0) }

    func runParallax(layout: MPMCQueue<UInt>.Layout) throws -> Double {
        try drive(MPMCQueue<UInt>(capacity: capacity, layout: layout))
    }

    func runMutexRing() -> Double { drive(MutexRing(capacity: capacity)) }

    func runCKRing() throws -> Double {
        var checksum: UInt64 = 0
        let seconds = pxb_ck_ring_run(UInt32(producers), UInt32(consumers), UInt64(items), UInt32(capacity), &checksum)
        guard seconds > 0 else { throw ValidationError("ck_ring baseline could not run") }
        try check(UInt(checksum), "ck_ring")
        return seconds
    }

    func check(_ sum: UInt, _ impl: String) throws {
        guard sum == expectedSum else {
            throw ValidationError("\(impl): items lost or duplicated (checksum \(sum), expected \(expectedSum))")
        }
    }

    func drive<Q: BenchQueue>(_ queue: Q) -> Double {
        consumers == 0 ? driveAlone(queue) : driveThreads(queue)
    }

    /// One thread: enqueue a batch, dequeue it, repeat.
    private func driveAlone<Q: BenchQueue>(_ queue: Q) -> Double {
        let batch = self.batch
        let items = self.items
        let sum = Atomic<UInt>(0)
        let seconds = runTimedThreads(1) { _ in
            if batch == 1 {
                // The same loop as the C baseline's: one item in, one item out.
                var local: UInt = 0
                for value in 1...UInt(items) {
                    _ = queue.putOne(value)
                    local &+= queue.takeOne() ?? 0
                }
                sum.store(local, ordering: .relaxed)
                return
            }
            var values = [UInt](repeating: 0, count: batch)
            var received = [UInt](repeating: 0, count: batch)
            var local: UInt = 0
            var sent = 0
            values.withUnsafeMutableBufferPointer { values in
                received.withUnsafeMutableBufferPointer { received in
                    while sent < items {
                        let n = Swift.min(batch, items - sent)
                        for i in 0..<n { values[i] = UInt(sent + i + 1) }
                        let put = queue.put(UnsafeBufferPointer(rebasing: values[0..<n]))
                        let got = queue.take(UnsafeMutableBufferPointer(rebasing: received[0..<put]))
                        for i in 0..<got { local &+= received[i] }
                        sent += put
                    }
                }
            }
            sum.store(local, ordering: .relaxed)
        }
        precondition(sum.load(ordering: .relaxed) == expectedSum, "single-thread run lost items")
        return seconds
    }

    private func driveThreads<Q: BenchQueue>(_ queue: Q) -> Double {
        let consumed = CachePaddedCounter()
        let sum = Atomic<UInt>(0)
        let (producers, consumers, batch, items) = (self.producers, self.consumers, self.batch, self.items)
        let shares = (0..<producers).map { share(of: $0) }
        let seconds = runTimedThreads(producers + consumers) { thread in
            if thread < producers {
                let base = UInt(thread) << 40
                let count = shares[thread]
                var values = [UInt](repeating: 0, count: batch)
                values.withUnsafeMutableBufferPointer { values in
                    var next = 1
                    while next <= count {
                        let n = Swift.min(batch, count - next + 1)
                        for i in 0..<n { values[i] = base + UInt(next + i) }
                        var sent = 0
                        while sent < n {
                            let put = queue.put(UnsafeBufferPointer(rebasing: values[sent..<n]))
                            if put == 0 { Backoff().spinOnce() }
                            sent += put
                        }
                        next += n
                    }
                }
            } else {
                var received = [UInt](repeating: 0, count: batch)
                var local: UInt = 0
                received.withUnsafeMutableBufferPointer { received in
                    while true {
                        let got = queue.take(received)
                        if got > 0 {
                            for i in 0..<got { local &+= received[i] }
                            if consumed.add(got) >= items { break }
                        } else if consumed.value >= items {
                            break
                        } else {
                            Backoff().spinOnce()
                        }
                    }
                }
                sum.add(local, ordering: .relaxed)
            }
        }
        precondition(sum.load(ordering: .relaxed) == expectedSum, "items lost or duplicated")
        return seconds
    }
}

/// The shared count of consumed items, alone on its lines.
final class CachePaddedCounter: Sendable {
    let padded = CachePadded(Atomic<Int>(0))
    /// Adds `n` and returns the new total.
    func add(_ n: Int) -> Int { padded.value.add(n, ordering: .relaxed).newValue }
    var value: Int { padded.value.load(ordering: .relaxed) }
}

extension Backoff {
    /// One pause hint, as the C baseline issues on a failed attempt.
    func spinOnce() { var once = Backoff(); once.spin() }
}
