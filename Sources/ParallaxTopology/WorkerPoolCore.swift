import CParallaxCore
import CParallaxTopology
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

// The machinery behind `WorkerPool`: worker threads, submission, stealing,
// parking, broadcast and shutdown. The algorithms, their memory orders and
// the shutdown state machine are described in WorkerPool.swift.

/// One worker's state. Its counters live in `counters` (slot 0), written only
/// by the worker's thread (relaxed stores: a reader wants a recent value, not
/// an ordering) and read by anyone.
final class Worker: @unchecked Sendable {
    let context: WorkerContext
    let inbox: MPMCQueue<WorkerPool.Task>
    let counters: SlotArray
    /// `counters`' words, cached so that bumping a counter touches no reference count.
    let counterWords: UnsafeMutablePointer<UInt64>
    /// Other workers' positions: same node first (`localVictims` of them), then the others.
    var stealOrder: [Int] = []
    var localVictims = 0
    /// Control slot of the node's parking word.
    var parkingSlot = 0
    var thread = pthread_t()
    var threadStarted = false
    /// Written by the worker thread before it signals start-up (release), read after (acquire).
    var startError: WorkerPoolError?
    var verifiedAffinity: CPUSet?

    static let executedWord = 0
    static let stolenLocalWord = 1
    static let stolenRemoteWord = 2
    static let failedWord = 3
    static let broadcastsWord = 4

    init(context: WorkerContext, inbox: MPMCQueue<WorkerPool.Task>, counters: SlotArray) {
        self.context = context
        self.inbox = inbox
        self.counters = counters
        counterWords = counters.word(0)
    }

    @inline(__always)
    func bump(_ word: Int) {
        let pointer = counterWords + word
        // Relaxed: only this thread writes the counter.
        px_atomic_store(pointer, px_atomic_load(pointer, px_load_relaxed) &+ 1, px_store_relaxed)
    }

    var statistics: WorkerStatistics {
        // Relaxed: a snapshot; exactness comes from the pool being idle or joined.
        func read(_ word: Int) -> UInt64 { px_atomic_load(counters.word(0, word), px_load_relaxed) }
        return WorkerStatistics(worker: context.index, node: context.node, executed: read(Self.executedWord),
                                stolenLocal: read(Self.stolenLocalWord), stolenRemote: read(Self.stolenRemoteWord),
                                failed: read(Self.failedWord), broadcasts: read(Self.broadcastsWord))
    }
}

/// The shared state of a pool; the worker threads retain it, not the public
/// `WorkerPool`, so dropping the pool shuts it down.
final class PoolCore: @unchecked Sendable {
    static let open: UInt64 = 0
    static let stopping: UInt64 = 1
    static let closed: UInt64 = 2

    let workers: [Worker]
    let options: WorkerPool.Options
    let onError: (@Sendable (any Error, WorkerContext) -> Void)?
    let nodes: [NodeID]
    /// Hot-path tables, in C-style buffers so that reading them touches no
    /// reference count: a retain or release on an inbox or a `Worker` from
    /// both the submitting thread and the worker would bounce the object's
    /// header line between their cores on every task.
    /// The inboxes by worker position (the `Worker`s own them).
    let inboxes: UnsafeMutableBufferPointer<Unmanaged<MPMCQueue<WorkerPool.Task>>>
    /// Worker positions grouped by node, in node order; a node's share is `nodeRanges[node]`.
    let memberTable: UnsafeMutableBufferPointer<Int>
    let nodeRanges: [NodeID: Range<Int>]
    /// `0 ..< count`: the candidates of `submit(_:)` and `submit(toWorker:)`.
    let identityTable: UnsafeMutableBufferPointer<Int>
    /// Parking-word slot of each worker's node.
    let workerSlots: UnsafeMutableBufferPointer<Int>
    /// The control slots of the nodes' parking words, in node order.
    var parkingSlots: Range<Int> { 6 ..< 6 + nodes.count }
    let globalCursorSlot: Int

    /// Slot 0: state. 1: submissions in flight. 2: broadcast epoch. 3: word 0,
    /// low half: broadcast remaining count (futex). 4: word 0, low half:
    /// workers started (futex). 5: global round-robin cursor. 6 + k: node k's
    /// parking word (epoch, sleepers: two 32-bit halves), in word 1 its
    /// round-robin cursor, in word 2 its pending-wake-up flag.
    let control: SlotArray
    let broadcastLock = PosixLock()
    /// Published by the release increment of the broadcast epoch.
    nonisolated(unsafe) var broadcastBody: (@Sendable (WorkerContext) -> Void)?
    /// Tasks that found every inbox they tried full.
    let overflow: OverflowQueue<WorkerPool.Task>
    var joined = false
    let shutdownLock = PosixLock()

    /// False for a plain pool: its nominal node 0 binds no memory.
    let bindsMemory: Bool

    init(placements: [WorkerPlacement], options: WorkerPool.Options, bindsMemory: Bool,
         onError: (@Sendable (any Error, WorkerContext) -> Void)?) throws(WorkerPoolError) {
        guard !placements.isEmpty else { throw .noWorkers }
        guard options.inboxCapacity >= 1 else { throw .invalidOptions("inbox capacity must be at least 1") }
        guard options.scratchBytes >= 1 else { throw .invalidOptions("scratch must be at least 1 byte") }
        self.options = options
        self.bindsMemory = bindsMemory
        self.onError = onError

        let nodes = Array(Set(placements.map(\.node))).sorted()
        self.nodes = nodes
        var members: [NodeID: [Int]] = [:]
        for (index, placement) in placements.enumerated() { members[placement.node, default: []].append(index) }
        var slots: [NodeID: Int] = [:]
        for (position, node) in nodes.enumerated() { slots[node] = 6 + position }
        globalCursorSlot = 5
        do {
            control = try SlotArray(count: 6 + nodes.count, lineSize: .linePair)
            overflow = try OverflowQueue()
            var built: [Worker] = []
            for (index, placement) in placements.enumerated() {
                let memoryNode = bindsMemory ? placement.node : nil
                let scratch = try SlotArray(count: (options.scratchBytes + 63) / 64, lineSize: .line, node: memoryNode)
                let counters = try SlotArray(count: 1, lineSize: .linePair, node: memoryNode)
                let inbox = try MPMCQueue<WorkerPool.Task>(capacity: options.inboxCapacity, node: memoryNode)
                let context = WorkerContext(index: index, workerCount: placements.count, placement: placement, scratch: scratch)
                built.append(Worker(context: context, inbox: inbox, counters: counters))
            }
            workers = built
        } catch let error as SlotArrayError {
            throw .memory(error.description)
        } catch let error as MPMCQueueError {
            throw .memory(error.description)
        } catch {
            throw .memory("\(error)")
        }
        // Allocated after the last throwing step, so a failed init leaks nothing.
        var table: [Int] = []
        var ranges: [NodeID: Range<Int>] = [:]
        for node in nodes {
            let start = table.count
            table += members[node]!
            ranges[node] = start ..< table.count
        }
        memberTable = .allocate(capacity: table.count)
        _ = memberTable.initialize(from: table)
        nodeRanges = ranges
        identityTable = .allocate(capacity: placements.count)
        _ = identityTable.initialize(from: placements.indices)
        workerSlots = .allocate(capacity: placements.count)
        _ = workerSlots.initialize(from: placements.map { slots[$0.node]! })
        inboxes = .allocate(capacity: placements.count)
        _ = inboxes.initialize(from: workers.map { Unmanaged.passUnretained($0.inbox) })
        for worker in workers {
            let own = members[worker.context.node]!
            let position = own.firstIndex(of: worker.context.index)!
            let local = (1..<own.count).map { own[(position + $0) % own.count] }
            let nodePosition = nodes.firstIndex(of: worker.context.node)!
            var remote: [Int] = []
            for step in 1..<Swift.max(nodes.count, 1) {
                let other = members[nodes[(nodePosition + step) % nodes.count]]!
                let start = position % other.count
                remote += (0..<other.count).map { other[(start + $0) % other.count] }
            }
            worker.stealOrder = local + remote
            worker.localVictims = local.count
            worker.parkingSlot = slots[worker.context.node]!
        }
    }

    deinit {
        inboxes.deallocate()
        memberTable.deallocate()
        identityTable.deallocate()
        workerSlots.deallocate()
    }

    // MARK: Control words

    var state: UnsafeMutablePointer<UInt64> { control.word(0) }
    var inFlight: UnsafeMutablePointer<UInt64> { control.word(1) }
    var broadcastEpoch: UnsafeMutablePointer<UInt64> { control.word(2) }
    var broadcastRemaining: UnsafeMutablePointer<UInt32> { UnsafeMutableRawPointer(control.word(3)).assumingMemoryBound(to: UInt32.self) }
    var startedCount: UnsafeMutablePointer<UInt32> { UnsafeMutableRawPointer(control.word(4)).assumingMemoryBound(to: UInt32.self) }
    func cursor(_ slot: Int) -> UnsafeMutablePointer<UInt64> { slot == globalCursorSlot ? control.word(slot) : control.word(slot, 1) }
    func parkingEpoch(_ slot: Int) -> UnsafeMutablePointer<UInt32> { UnsafeMutableRawPointer(control.word(slot)).assumingMemoryBound(to: UInt32.self) }
    func parkingSleepers(_ slot: Int) -> UnsafeMutablePointer<UInt32> { parkingEpoch(slot) + 1 }
    /// 1 while a wake-up sent to the node's word has not been taken by a worker.
    func wakePending(_ slot: Int) -> UnsafeMutablePointer<UInt64> { control.word(slot, 2) }

    // MARK: Start

    final class ThreadArgument {
        let core: PoolCore
        let index: Int
        init(_ core: PoolCore, _ index: Int) { self.core = core; self.index = index }
    }

    func start() throws(WorkerPoolError) {
        var failure: WorkerPoolError?
        for worker in workers {
            let argument = Unmanaged.passRetained(ThreadArgument(self, worker.context.index)).toOpaque()
            let code = pthread_create(&worker.thread, nil, { raw in
                let argument = Unmanaged<ThreadArgument>.fromOpaque(raw!).takeRetainedValue()
                argument.core.run(argument.index)
                return nil
            }, argument)
            if code != 0 {
                Unmanaged<ThreadArgument>.fromOpaque(argument).release()
                failure = .threadStart(worker: worker.context.index, errno: code)
                break
            }
            worker.threadStarted = true
        }
        let launched = UInt32(workers.filter(\.threadStarted).count)
        while true {
            // Acquire pairs with each worker's release increment: its start-up
            // results (startError, verifiedAffinity) are visible after this.
            let started = px_atomic32_load(startedCount, px_load_acquire)
            if started >= launched { break }
            _ = px_futex_wait(startedCount, started, -1)
        }
        if failure == nil { failure = workers.lazy.compactMap(\.startError).first }
        if let failure {
            shutdown()
            throw failure
        }
    }

    // MARK: Worker thread

    func run(_ index: Int) {
        let worker = workers[index]
        // Shows as "px-execute-3" in top -H, perf and gdb (the kernel keeps 15 bytes).
        _ = px_thread_set_name("px-\(worker.context.placement.pool)-\(index)")
        if options.pinning == .pinned {
            do {
                try ThreadAffinity.pinCurrentThreadVerified(to: worker.context.pu)
                worker.verifiedAffinity = try ThreadAffinity.current()
            } catch {
                worker.startError = .pinning(worker: index, error)
            }
        }
        // Release pairs with start()'s acquire load.
        _ = px_atomic32_fetch_add(startedCount, 1, px_rmw_release)
        _ = px_futex_wake(startedCount, Int32.max)
        if worker.startError != nil {
            waitForClose()
            return
        }

        let slot = worker.parkingSlot
        let inbox = worker.inbox
        let stealOrder = worker.stealOrder
        var overflowBatch: [WorkerPool.Task] = []
        overflowBatch.reserveCapacity(Self.overflowBatchLimit)
        var seenEpoch: UInt64 = 0
        var backoff = Backoff()
        while true {
            // Acquire pairs with broadcast()'s release increment: the body is published.
            let epoch = px_atomic_load(broadcastEpoch, px_load_acquire)
            if epoch != seenEpoch {
                seenEpoch = epoch
                broadcastBody!(worker.context)
                worker.bump(Worker.broadcastsWord)
                // Acq_rel: releases the body's effects to the broadcaster, which
                // acquires the count it waits on.
                if px_atomic32_fetch_sub(broadcastRemaining, 1, px_rmw_acq_rel) == 1 {
                    _ = px_futex_wake(broadcastRemaining, 1)
                }
                backoff.reset()
                continue
            }
            // Acquire pairs with shutdown()'s release store of `closed`, which
            // follows every accepted submission: read before the scan below.
            let isClosed = px_atomic_load(state, px_load_acquire) == Self.closed
            if let task = inbox.tryDequeue() {
                execute(task, on: worker)
                backoff.reset()
                continue
            }
            if steal(for: worker, order: stealOrder) {
                backoff.reset()
                continue
            }
            if takeOverflow(for: worker, into: &overflowBatch) {
                backoff.reset()
                continue
            }
            if isClosed { return }
            if !backoff.isCompleted {
                backoff.snooze()
                continue
            }
            park(worker, slot: slot, seenEpoch: seenEpoch)
            backoff.reset()
        }
    }

    /// A worker that failed to start waits for the pool to close (start() shuts
    /// it down), parked on the first node's word, which `wakeAll()` wakes.
    private func waitForClose() {
        let slot = parkingSlots.lowerBound
        // The parking protocol of park(), with `closed` as the only condition:
        // acquire loads of the state pair with shutdown()'s release store.
        while px_atomic_load(state, px_load_acquire) != Self.closed {
            _ = px_atomic32_fetch_add(parkingSleepers(slot), 1, px_rmw_seq_cst)
            px_atomic_fence(px_fence_seq_cst)
            let seen = px_atomic32_load(parkingEpoch(slot), px_load_acquire)
            if px_atomic_load(state, px_load_acquire) != Self.closed { _ = px_futex_wait(parkingEpoch(slot), seen, -1) }
            _ = px_atomic32_fetch_sub(parkingSleepers(slot), 1, px_rmw_release)
        }
    }

    @inline(__always)
    private func execute(_ task: WorkerPool.Task, on worker: Worker) {
        do {
            try task(worker.context)
        } catch {
            worker.bump(Worker.failedWord)
            onError?(error, worker.context)
        }
        worker.bump(Worker.executedWord)
    }

    /// Most overflow tasks a worker takes under one lock acquisition.
    static let overflowBatchLimit = 32

    /// Runs a batch of overflow tasks: its share (the queue's length over the
    /// worker count, at most `overflowBatchLimit`), so that one lock
    /// acquisition serves several tasks while the others still get some.
    private func takeOverflow(for worker: Worker, into batch: inout [WorkerPool.Task]) -> Bool {
        let share = Swift.min(Self.overflowBatchLimit, Swift.max(1, overflow.countApproximately / workers.count))
        guard overflow.pop(upTo: share, appendingTo: &batch) > 0 else { return false }
        for task in batch { execute(task, on: worker) }
        batch.removeAll(keepingCapacity: true)
        return true
    }

    private func steal(for worker: Worker, order: [Int]) -> Bool {
        for (position, victim) in order.enumerated() {
            if let task = inboxes[victim]._withUnsafeGuaranteedRef({ $0.tryDequeue() }) {
                worker.bump(position < worker.localVictims ? Worker.stolenLocalWord : Worker.stolenRemoteWord)
                execute(task, on: worker)
                return true
            }
        }
        return false
    }

    private func park(_ worker: Worker, slot: Int, seenEpoch: UInt64) {
        _ = px_atomic32_fetch_add(parkingSleepers(slot), 1, px_rmw_seq_cst)
        // A sleeper-to-be takes any pending wake-up on itself: see wake(slot:count:).
        px_atomic_store(wakePending(slot), 0, px_store_seq_cst)
        // Seq_cst fence: the sleeper's half of the Dekker pair with a waker's fence.
        px_atomic_fence(px_fence_seq_cst)
        // Acquire pairs with a waker's release bump of the epoch; the checks
        // below are the same acquire loads as in the worker loop.
        let seen = px_atomic32_load(parkingEpoch(slot), px_load_acquire)
        let idle = px_atomic_load(broadcastEpoch, px_load_acquire) == seenEpoch
            && px_atomic_load(state, px_load_acquire) != Self.closed
            && worker.inbox.isEmptyApproximately
            && worker.stealOrder.allSatisfy { inboxes[$0]._withUnsafeGuaranteedRef { $0.isEmptyApproximately } }
            && overflow.isEmptyApproximately
        if idle { _ = px_futex_wait(parkingEpoch(slot), seen, -1) }
        // Release: leaving is only a hint to wakers (no data is published).
        _ = px_atomic32_fetch_sub(parkingSleepers(slot), 1, px_rmw_release)
        // Taking the wake-up before the scan that follows: a waker that saw it
        // pending (and skipped its own wake-up) fenced before this fence, so the
        // scan sees that waker's task.
        px_atomic_store(wakePending(slot), 0, px_store_seq_cst)
        px_atomic_fence(px_fence_seq_cst)
    }

    // MARK: Waking

    /// Wakes one sleeper, of `preferred` node's word if it has one, else of another node.
    private func wakeOne(preferring preferred: Int) {
        // Seq_cst fence: the waker's half of the Dekker pair (after the enqueue).
        px_atomic_fence(px_fence_seq_cst)
        if wake(slot: preferred, count: 1) { return }
        for slot in parkingSlots where slot != preferred {
            if wake(slot: slot, count: 1) { return }
        }
    }

    private func wakeAll() {
        // Seq_cst fence: the waker's half of the Dekker pair (after publishing
        // the broadcast epoch or the closed state).
        px_atomic_fence(px_fence_seq_cst)
        for slot in parkingSlots { _ = wake(slot: slot, count: Int32.max) }
    }

    /// Wakes `count` sleepers of a node's word; false if it has none.
    ///
    /// A single wake-up (a task) is sent only if none is pending: until the
    /// woken worker leaves `park` and clears the flag, further tasks need no
    /// syscall, because that worker will scan every inbox after clearing it.
    /// A worker entering `park` clears it too, so the flag never outlives the
    /// sleepers it stands for. Wake-ups of everyone ignore the flag.
    private func wake(slot: Int, count: Int32) -> Bool {
        // Relaxed: ordered by the caller's seq_cst fence (see the parking protocol).
        guard px_atomic32_load(parkingSleepers(slot), px_load_relaxed) != 0 else { return false }
        if count == 1 {
            var idle: UInt64 = 0
            // Relaxed CAS: the flag only elects the waker; the caller's fence orders the rest.
            guard px_atomic_cas(wakePending(slot), &idle, 1, px_rmw_relaxed) else { return true }
        }
        // Release pairs with the sleeper's acquire read of the epoch.
        _ = px_atomic32_fetch_add(parkingEpoch(slot), 1, px_rmw_release)
        _ = px_futex_wake(parkingEpoch(slot), count)
        return true
    }

    // MARK: Submission

    func submit(_ task: @escaping WorkerPool.Task, preferring members: UnsafeBufferPointer<Int>,
                startingAt turn: Int) throws(WorkerPoolError) {
        // Seq_cst: Dekker pair with shutdown(), which stores `stopping` and then reads this count.
        _ = px_atomic_fetch_add(inFlight, 1, px_rmw_seq_cst)
        defer {
            // Release: the enqueue happens-before shutdown() sees the count drop.
            _ = px_atomic_fetch_add(inFlight, UInt64.max, px_rmw_release)
        }
        // Seq_cst: the other half of the Dekker pair with shutdown().
        guard px_atomic_load(state, px_load_seq_cst) == Self.open else { throw .shutDown }
        var target = members[turn]
        var placed = false
        for step in 0..<members.count {
            let candidate = members[(turn + step) % members.count]
            if inboxes[candidate]._withUnsafeGuaranteedRef({ $0.tryEnqueue(task) }) {
                target = candidate
                placed = true
                break
            }
        }
        if !placed { overflow.push(task) }
        wakeOne(preferring: workerSlots[target])
    }

    // MARK: Broadcast

    func broadcast(_ body: @escaping @Sendable (WorkerContext) -> Void) throws(WorkerPoolError) {
        let current = pthread_self()
        precondition(!workers.contains { $0.threadStarted && pthread_equal($0.thread, current) != 0 },
                     "broadcast called from a worker of the same pool")
        try broadcastLock.withLock { () throws(WorkerPoolError) in
            // Acquire: shutdown() changes the state only under this same lock,
            // so this read is exact; the order is for form.
            guard px_atomic_load(state, px_load_acquire) == Self.open else { throw .shutDown }
            broadcastBody = body
            // Relaxed: published by the release increment of the epoch below.
            _ = px_atomic32_fetch_add(broadcastRemaining, UInt32(workers.count), px_rmw_relaxed)
            // Release pairs with each worker's acquire load of the epoch.
            _ = px_atomic_fetch_add(broadcastEpoch, 1, px_rmw_release)
            wakeAll()
            var backoff = Backoff()
            while true {
                // Acquire pairs with the workers' acq_rel decrements.
                let remaining = px_atomic32_load(broadcastRemaining, px_load_acquire)
                if remaining == 0 { break }
                if backoff.isCompleted {
                    _ = px_futex_wait(broadcastRemaining, remaining, -1)
                } else {
                    backoff.snooze()
                }
            }
            broadcastBody = nil
        }
    }

    // MARK: Shutdown

    func shutdown() {
        shutdownLock.withLock {
            guard !joined else { return }
            broadcastLock.withLock {
                // Seq_cst: Dekker pair with submit()'s increment of the in-flight count.
                px_atomic_store(state, Self.stopping, px_store_seq_cst)
                var backoff = Backoff()
                // Acquire pairs with submit()'s release decrement.
                while px_atomic_load(inFlight, px_load_acquire) != 0 { backoff.snooze() }
                // Release pairs with the workers' acquire load of the state.
                px_atomic_store(state, Self.closed, px_store_release)
            }
            wakeAll()
            let current = pthread_self()
            for worker in workers where worker.threadStarted {
                // A task may shut the pool down (or drop its last reference):
                // its own thread cannot be joined, so it is detached and exits
                // on its own once the inboxes are empty.
                if pthread_equal(worker.thread, current) != 0 {
                    pthread_detach(worker.thread)
                } else {
                    pthread_join(worker.thread, nil)
                }
            }
            joined = true
        }
    }

    #if DEBUG
    func checkInvariants() {
        precondition(px_atomic_load(inFlight, px_load_seq_cst) == 0, "a submission is in flight")
        if joined {
            for worker in workers {
                precondition(worker.inbox.isEmptyApproximately, "worker \(worker.context.index) left tasks behind")
                worker.inbox._checkInvariants()
            }
            precondition(overflow.isEmptyApproximately, "tasks left in the overflow queue")
            overflow._checkInvariants()
        }
        for worker in workers {
            let stats = worker.statistics
            precondition(stats.stolenLocal + stats.stolenRemote <= stats.executed, "more steals than tasks")
            precondition(stats.failed <= stats.executed, "more failures than tasks")
        }
    }
    #endif
}
