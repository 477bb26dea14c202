import Synchronization
import ParallaxTestSupport
import Testing
@testable import ParallaxTopology
#if canImport(Glibc)
import Glibc
#endif

/// Runs `body` on a new thread; `join()` waits for it.
final class TestThread: @unchecked Sendable {
    private var thread = pthread_t()
    private final class Box {
        let body: () -> Void
        init(_ body: @escaping () -> Void) { self.body = body }
    }

    init(_ body: @escaping @Sendable () -> Void) {
        let box = Unmanaged.passRetained(Box(body)).toOpaque()
        let rc = pthread_create(&thread, nil, { raw in
            Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue().body()
            return nil
        }, box)
        precondition(rc == 0, "pthread_create: \(rc)")
    }

    func join() { pthread_join(thread, nil) }
}

/// A value behind a pthread mutex. (ThreadSanitizer understands pthread
/// mutexes; it does not see inside the prebuilt `Synchronization.Mutex`.)
final class Locked<Value>: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private var value: Value

    init(_ value: Value) {
        self.value = value
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}

/// An atomic that can live in an array.
final class Cell<Value: AtomicRepresentable>: Sendable where Value: Sendable {
    let atomic: Atomic<Value>
    init(_ value: Value) { atomic = Atomic(value) }
}

/// Per-worker flags a broadcast body waits on, so a test can hold chosen workers.
final class Gates: Sendable {
    let open: [Cell<Bool>]
    let arrived = Atomic<Int>(0)
    init(count: Int) { open = (0..<count).map { _ in Cell(false) } }

    func hold(_ context: WorkerContext) {
        arrived.add(1, ordering: .sequentiallyConsistent)
        while !open[context.index].atomic.load(ordering: .acquiring) { usleep(100) }
    }

    func waitUntilAllArrived(_ count: Int) {
        while arrived.load(ordering: .sequentiallyConsistent) < count { usleep(100) }
    }

    func release(_ index: Int) { open[index].atomic.store(true, ordering: .releasing) }
}

struct Failure: Error, Equatable { let value: Int }

@Suite(.serialized) struct WorkerPoolTests {
    /// Four unpinned workers of a synthetic two-node machine: nodes [0, 0, 1, 1].
    func twoNodePool(onError: (@Sendable (any Error, WorkerContext) -> Void)? = nil) throws -> WorkerPool {
        let topology = try Topology(synthetic: "pack:2 numa:1 core:2 pu:1")
        let plan = try PlacementPlan(topology: topology, request: PlacementRequest(policy: .compact))
        return try WorkerPool(plan: plan, pool: .execute, options: .init(pinning: .unpinned, inboxCapacity: 4096),
                              onError: onError)
    }

    @Test func workersArePinnedOnThisMachine() throws {
        let topology = try Topology.thisMachine()
        let plan = try PlacementPlan(topology: topology, request: PlacementRequest(policy: .spread))
        let pool = try WorkerPool(plan: plan, pool: .execute)
        defer { pool.shutdown() }
        #expect(pool.verifiedAffinity == plan.workers.map { CPUSet([$0.pu]) })
        let seen = Locked<[Int: CPUSet]>([:])
        try pool.broadcast { context in
            let affinity = try? ThreadAffinity.current()
            seen.withLock { $0[context.index] = affinity }
        }
        let observed = seen.withLock { $0 }
        for (index, worker) in plan.workers.enumerated() {
            #expect(observed[index] == CPUSet([worker.pu]), "worker \(index) runs with affinity \(String(describing: observed[index]))")
        }
        // Scratch memory is on the worker's node when the machine has NUMA
        // support: bound there, and the kernel reports its pages there.
        let placements = Locked<[(SlotArray.Placement, NodeID?, NodeID)]>([])
        try pool.broadcast { context in
            let scratch = context.scratch
            placements.withLock { $0.append((scratch.placement, NUMA.node(of: scratch.base), context.node)) }
        }
        let observedPlacements = placements.withLock { $0 }
        #expect(observedPlacements.count == plan.count)
        if NUMA.isAvailable {
            for (placement, pageNode, node) in observedPlacements {
                #expect(placement == .node(node))
                #expect(pageNode == node)
            }
        }
    }

    @Test func pinningToAMissingCPUFailsToStart() throws {
        let topology = try Topology(synthetic: "pack:1 numa:1 core:1 pu:1")
        let bogus = WorkerPlacement(worker: WorkerID(0), pool: .execute, pu: PUIndex(1000), core: CoreID(0),
                                    node: NodeID(0), package: nil)
        _ = topology
        #expect(throws: WorkerPoolError.self) { try WorkerPool(workers: [bogus]) }
    }

    @Test func broadcastRunsOncePerWorker() throws {
        let pool = try twoNodePool()
        defer { pool.shutdown() }
        let counts = (0..<pool.count).map { _ in Cell<Int>(0) }
        let rounds = 200
        for round in 1...rounds {
            try pool.broadcast { context in counts[context.index].atomic.add(1, ordering: .relaxed) }
            // broadcast returns only after every body has finished.
            for (index, count) in counts.enumerated() {
                #expect(count.atomic.load(ordering: .relaxed) == round, "worker \(index) after round \(round)")
            }
        }
        #expect(pool.statistics.map(\.broadcasts) == Array(repeating: UInt64(rounds), count: pool.count))
        #expect(pool.nodes == [NodeID(0), NodeID(1)])
        #expect(pool.workers(on: NodeID(1)) == [2, 3])
        #expect(pool.workers(on: NodeID(7)) == [])
    }

    @Test func stealingPrefersTheOwnNode() throws {
        let pool = try twoNodePool()
        let gates = Gates(count: 4)
        let holder = TestThread { try? pool.broadcast { gates.hold($0) } }
        gates.waitUntilAllArrived(4)
        // Worker 0 (node 0) and worker 2 (node 1) get the tasks; workers 0, 2, 3 stay held.
        let ranOn = Locked<[(worker: Int, origin: NodeID)]>([])
        let perInbox = 50
        for _ in 0..<perInbox {
            try pool.submit(toWorker: 0) { context in ranOn.withLock { $0.append((context.index, NodeID(0))) } }
            try pool.submit(toWorker: 2) { context in ranOn.withLock { $0.append((context.index, NodeID(1))) } }
        }
        gates.release(1)
        while ranOn.withLock({ $0.count }) < 2 * perInbox { usleep(200) }
        let order = ranOn.withLock { $0 }
        #expect(order.allSatisfy { $0.worker == 1 }, "only worker 1 was free")
        #expect(order.prefix(perInbox).allSatisfy { $0.origin == NodeID(0) }, "worker 1 emptied its own node first")
        #expect(order.suffix(perInbox).allSatisfy { $0.origin == NodeID(1) })
        for index in [0, 2, 3] { gates.release(index) }
        holder.join()
        pool.shutdown()
        let stats = pool.statistics
        #expect(stats[1].executed == UInt64(2 * perInbox))
        #expect(stats[1].stolenLocal == UInt64(perInbox))
        #expect(stats[1].stolenRemote == UInt64(perInbox))
        pool._checkInvariants()
    }

    @Test func nodeSubmissionsRunOnTheirNode() throws {
        let pool = try twoNodePool()
        let gates = Gates(count: 4)
        let holder = TestThread { try? pool.broadcast { gates.hold($0) } }
        gates.waitUntilAllArrived(4)
        let done = Atomic<Int>(0)
        let nodes = Locked<[NodeID]>([])
        let tasks = 200
        for _ in 0..<tasks {
            try pool.submit(toNode: NodeID(1)) { context in
                nodes.withLock { $0.append(context.node) }
                done.add(1, ordering: .releasing)
            }
        }
        #expect(pool.core.workers[2].inbox.countApproximately + pool.core.workers[3].inbox.countApproximately == tasks)
        #expect(pool.core.workers[2].inbox.countApproximately == tasks / 2, "round-robin over the node's workers")
        gates.release(2)
        gates.release(3)
        while done.load(ordering: .acquiring) < tasks { usleep(200) }
        gates.release(0)
        gates.release(1)
        holder.join()
        pool.shutdown()
        #expect(nodes.withLock { $0 }.allSatisfy { $0 == NodeID(1) })
        #expect(pool.statistics.allSatisfy { $0.stolenRemote == 0 })
        let byNode = pool.statisticsByNode
        #expect(byNode.map(\.node) == [NodeID(0), NodeID(1)])
        #expect(byNode.map(\.executed) == [0, UInt64(tasks)])
        #expect(byNode.map(\.workers) == [2, 2])
        #expect(throws: WorkerPoolError.noWorkerOnNode(NodeID(5))) { try pool.submit(toNode: NodeID(5)) { _ in } }
    }

    @Test func shutdownRunsEveryQueuedTask() throws {
        for _ in 0..<5 {
            let pool = try twoNodePool()
            let gates = Gates(count: 4)
            let holder = TestThread { try? pool.broadcast { gates.hold($0) } }
            gates.waitUntilAllArrived(4)
            let ran = Atomic<Int>(0)
            let tasks = 3000
            for index in 0..<tasks {
                try pool.submit { _ in
                    if index % 7 == 0 { sched_yield() }
                    ran.add(1, ordering: .relaxed)
                }
            }
            // Shut down while every task is still queued behind the held workers.
            let stopper = TestThread { pool.shutdown() }
            for index in 0..<4 { gates.release(index) }
            holder.join()
            stopper.join()
            #expect(ran.load(ordering: .relaxed) == tasks)
            #expect(pool.statistics.reduce(0) { $0 + $1.executed } == UInt64(tasks))
            #expect(throws: WorkerPoolError.shutDown) { try pool.submit { _ in } }
            #expect(throws: WorkerPoolError.shutDown) { try pool.broadcast { _ in } }
            pool._checkInvariants()
        }
    }

    @Test func concurrentSubmittersAndShutdownLoseNothing() throws {
        let pool = try twoNodePool()
        let accepted = Atomic<Int>(0)
        let ran = Atomic<Int>(0)
        let submitters = (0..<3).map { _ in
            TestThread {
                for _ in 0..<20_000 {
                    do {
                        try pool.submit { _ in ran.add(1, ordering: .relaxed) }
                        accepted.add(1, ordering: .relaxed)
                    } catch {
                        return
                    }
                }
            }
        }
        usleep(2_000)
        pool.shutdown()
        for thread in submitters { thread.join() }
        #expect(ran.load(ordering: .relaxed) == accepted.load(ordering: .relaxed))
        pool._checkInvariants()
    }

    @Test func fullInboxesOverflowInsteadOfBlocking() throws {
        let topology = try Topology(synthetic: "pack:2 numa:1 core:2 pu:1")
        let plan = try PlacementPlan(topology: topology, request: PlacementRequest())
        let pool = try WorkerPool(plan: plan, pool: .execute, options: .init(pinning: .unpinned, inboxCapacity: 2))
        let gates = Gates(count: 4)
        let holder = TestThread { try? pool.broadcast { gates.hold($0) } }
        gates.waitUntilAllArrived(4)
        let ran = Atomic<Int>(0)
        // 4 workers x 2 inbox cells: everything past the 8th task overflows, and
        // submit returns although no worker is taking anything.
        for _ in 0..<1000 { try pool.submit { _ in ran.add(1, ordering: .relaxed) } }
        #expect(ran.load(ordering: .relaxed) == 0)
        for index in 0..<4 { gates.release(index) }
        holder.join()
        // A task that floods the saturated pool from inside it does not deadlock.
        try pool.submit(toWorker: 0) { _ in
            for _ in 0..<1000 { try pool.submit { _ in ran.add(1, ordering: .relaxed) } }
        }
        let deadline = MonotonicClock.nanoseconds() + 10_000_000_000
        while ran.load(ordering: .relaxed) < 2000 && MonotonicClock.nanoseconds() < deadline { usleep(100) }
        pool.shutdown()
        #expect(ran.load(ordering: .relaxed) == 2000)
        #expect(pool.statistics.reduce(0) { $0 + $1.executed } == 2001)
        pool._checkInvariants()
    }

    @Test func aTaskCanShutThePoolDown() throws {
        let pool = try twoNodePool()
        let ran = Atomic<Int>(0)
        for _ in 0..<100 { try pool.submit { _ in ran.add(1, ordering: .relaxed) } }
        // The shutdown task may run after the 100 others (or before some of
        // them): wait for both, since only a finished shutdown promises that
        // `submit` throws.
        let shutDown = Atomic<Bool>(false)
        try pool.submit(toWorker: 1) { _ in
            pool.shutdown()
            shutDown.store(true, ordering: .releasing)
        }
        let deadline = MonotonicClock.nanoseconds() + 10_000_000_000
        while (ran.load(ordering: .relaxed) < 100 || !shutDown.load(ordering: .acquiring))
            && MonotonicClock.nanoseconds() < deadline { usleep(100) }
        let finished = shutDown.load(ordering: .acquiring)
        #expect(finished)
        #expect(ran.load(ordering: .relaxed) == 100)
        #expect(throws: WorkerPoolError.shutDown) { try pool.submit { _ in } }
        pool.shutdown()
    }

    @Test func aThrowingTaskDoesNotKillThePool() throws {
        let reported = Locked<[Int]>([])
        let pool = try twoNodePool { error, _ in
            if let failure = error as? Failure { reported.withLock { $0.append(failure.value) } }
        }
        let ran = Atomic<Int>(0)
        for index in 0..<100 {
            try pool.submit { _ in
                ran.add(1, ordering: .relaxed)
                if index % 3 == 0 { throw Failure(value: index) }
            }
        }
        pool.shutdown()
        #expect(ran.load(ordering: .relaxed) == 100)
        #expect(pool.statistics.reduce(0) { $0 + $1.failed } == 34)
        #expect(reported.withLock { $0 }.sorted() == Array(stride(from: 0, to: 100, by: 3)))
    }

    @Test func noWakeUpIsLostBetweenIdleAndBusy() throws {
        let pool = try twoNodePool()
        defer { pool.shutdown() }
        let seed = UInt64.random(in: 0...UInt64.max)
        var rng = SeededGenerator(seed: seed)
        let done = Atomic<Int>(0)
        var submitted = 0
        for _ in 0..<1500 {
            // Pauses around the workers' spin-then-park threshold, then a burst.
            usleep(UInt32.random(in: 0...150, using: &rng))
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                try pool.submit(toNode: NodeID(Int32.random(in: 0...1, using: &rng))) { _ in done.add(1, ordering: .releasing) }
                submitted += 1
            }
            let deadline = MonotonicClock.nanoseconds() + 5_000_000_000
            while done.load(ordering: .acquiring) < submitted && MonotonicClock.nanoseconds() < deadline { sched_yield() }
            guard done.load(ordering: .acquiring) == submitted else {
                Issue.record("seed \(seed): a task stayed queued for 5 s (lost wake-up)")
                return
            }
        }
    }

    @Test func parkedWorkersWakeForNewWork() throws {
        let pool = try twoNodePool()
        defer { pool.shutdown() }
        // Long enough for every worker to exhaust its backoff and park.
        usleep(50_000)
        let done = Atomic<Int>(0)
        for node in [NodeID(0), NodeID(1)] {
            try pool.submit(toNode: node) { _ in done.add(1, ordering: .releasing) }
        }
        var waited = 0
        while done.load(ordering: .acquiring) < 2 && waited < 10_000 { usleep(1_000); waited += 1 }
        #expect(done.load(ordering: .acquiring) == 2)
    }
}
