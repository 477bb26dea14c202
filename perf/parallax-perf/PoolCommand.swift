import ArgumentParser
import Parallax
import ParallaxConcurrency
import ParallaxTopology
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// `parallax-perf pool`: the cost of the WorkerPool's fork-join broadcast and
/// of its task submission, side by side with the textbook alternatives in one
/// process: threads created and joined per round, and a pool built on one
/// pthread mutex and condition variables.
struct PoolCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pool",
        abstract: "WorkerPool broadcast and task throughput vs spawn/join and a mutex+condvar pool.",
        discussion: """
            broadcast: one fork-join round runs an empty body once on every worker and waits for \
            all of them. tasks: --tasks tiny tasks are submitted from one thread round-robin and \
            the run ends when the last has run. Workers are placed compactly, pinned for \
            WorkerPool (unless --unpinned), unpinned for the baselines. When the workers leave \
            a PU free, the calling thread is pinned to the last one. Each implementation runs \
            --repeat times, interleaved; the median is reported.
            """
    )

    @Option(help: "Workers (default: every PU but one, which the calling thread gets).") var workers: Int?
    @Option(help: "Fork-join rounds per run.") var rounds: Int = 20_000
    @Option(help: "Tasks per run.") var tasks: Int = 200_000
    @Option(help: "Runs per implementation; the median is reported.") var `repeat`: Int = 5
    @Option(help: "WorkerPool inbox capacity per worker.") var inboxCapacity: Int = 1024
    @Flag(help: "Do not pin WorkerPool's workers (as the baselines' threads are not).") var unpinned = false
    @Flag(help: "Print JSON objects, one per line.") var json = false

    func validate() throws {
        guard rounds >= 1, tasks >= 1, `repeat` >= 1 else { throw ValidationError("--rounds, --tasks and --repeat must be at least 1") }
        if let workers, workers < 1 { throw ValidationError("--workers must be at least 1") }
    }

    func run() throws {
        let topology = try Topology.thisMachine()
        let workerCount = workers ?? Swift.max(1, topology.pus.count - 1)
        guard workerCount <= topology.pus.count else {
            throw ValidationError("--workers \(workerCount): this machine has \(topology.pus.count) PUs")
        }
        // The calling thread (which submits, broadcasts and waits) gets the last
        // PU to itself when the workers leave one free, as a deployment reserves
        // one for the pipeline thread; otherwise it shares the workers' PUs.
        var request = PlacementRequest(pools: [PoolRequest(.execute, .workers(workerCount))])
        let callerPU = workerCount < topology.pus.count ? topology.pus.last!.os : nil
        if let callerPU {
            request.reserved = CPUSet([callerPU])
            try ThreadAffinity.pinCurrentThreadVerified(to: callerPU)
        }
        let plan = try PlacementPlan(topology: topology, request: request)
        let count = plan.count
        let options = WorkerPool.Options(pinning: unpinned ? .unpinned : .pinned, inboxCapacity: inboxCapacity)
        let pool = try WorkerPool(plan: plan, pool: .execute, options: options)
        defer { pool.shutdown() }
        let condvar = CondvarPool(threads: count)
        defer { condvar.stop() }

        var samples: [String: [Double]] = [:]
        for _ in 0..<`repeat` {
            samples["broadcast/parallax", default: []].append(try timeBroadcast(pool))
            samples["broadcast/condvar", default: []].append(time { for _ in 0..<rounds { condvar.forkJoin() } })
            samples["broadcast/spawn_join", default: []].append(time {
                // Thread creation is ~1000x slower: a tenth of the rounds keeps the run short.
                for _ in 0..<Swift.max(1, rounds / 10) { spawnJoin(count) }
            } * Double(rounds) / Double(Swift.max(1, rounds / 10)))
            samples["tasks/parallax", default: []].append(try timeTasks(pool))
            samples["tasks/condvar", default: []].append(time {
                let done = Atomic<Int>(0)
                for _ in 0..<tasks { condvar.submit { done.add(1, ordering: .relaxed) } }
                while done.load(ordering: .relaxed) < tasks { sched_yield() }
            })
        }
        let median = samples.mapValues { $0.sorted()[$0.count / 2] }
        let broadcastNs = { (name: String) in median["broadcast/\(name)"]! / Double(rounds) * 1e9 }
        let taskRate = { (name: String) in Double(tasks) / median["tasks/\(name)"]! }
        let rows: [(String, String, Double, String)] = [
            ("broadcast", "parallax", broadcastNs("parallax"), "ns_per_round"),
            ("broadcast", "condvar", broadcastNs("condvar"), "ns_per_round"),
            ("broadcast", "spawn_join", broadcastNs("spawn_join"), "ns_per_round"),
            ("tasks", "parallax", taskRate("parallax"), "tasks_per_sec"),
            ("tasks", "condvar", taskRate("condvar"), "tasks_per_sec"),
        ]
        let speedupCondvar = broadcastNs("condvar") / broadcastNs("parallax")
        let speedupSpawn = broadcastNs("spawn_join") / broadcastNs("parallax")
        let taskRatio = taskRate("parallax") / taskRate("condvar")
        for (bench, impl, value, unit) in rows {
            if json {
                print(#"{"bench":"\#(bench)","impl":"\#(impl)","workers":\#(count),"caller_pinned":\#(callerPU != nil),"runs":\#(`repeat`),"\#(unit)":\#(rounded(value, 10))}"#)
            } else {
                print("\(bench.padding(toLength: 10)) \(impl.padding(toLength: 11)) \(count) workers  \(rounded(value, 10)) \(unit)")
            }
        }
        if json {
            print(#"{"ratios":{"broadcast_condvar_over_parallax":\#(rounded(speedupCondvar)),"broadcast_spawn_join_over_parallax":\#(rounded(speedupSpawn)),"tasks_parallax_over_condvar":\#(rounded(taskRatio))}}"#)
        } else {
            print("ratio broadcast time condvar / parallax     \(rounded(speedupCondvar))")
            print("ratio broadcast time spawn_join / parallax  \(rounded(speedupSpawn))")
            print("ratio task rate parallax / condvar          \(rounded(taskRatio))")
        }
    }

    func timeBroadcast(_ pool: WorkerPool) throws -> Double {
        let start = MonotonicClock.nanoseconds()
        for _ in 0..<rounds { try pool.broadcast { _ in } }
        return Double(MonotonicClock.nanoseconds() - start) * 1e-9
    }

    func timeTasks(_ pool: WorkerPool) throws -> Double {
        let box = DoneCounter()
        let start = MonotonicClock.nanoseconds()
        for _ in 0..<tasks { try pool.submit { _ in box.add() } }
        while box.value < tasks { sched_yield() }
        return Double(MonotonicClock.nanoseconds() - start) * 1e-9
    }

    func time(_ body: () -> Void) -> Double {
        let start = MonotonicClock.nanoseconds()
        body()
        return Double(MonotonicClock.nanoseconds() - start) * 1e-9
    }
}

/// A shared completion counter for the tasks benchmark.
final class DoneCounter: Sendable {
    let padded = CachePadded(Atomic<Int>(0))
    func add() { padded.value.add(1, ordering: .relaxed) }
    var value: Int { padded.value.load(ordering: .relaxed) }
}

/// Creates `count` threads that do nothing and joins them: fork-join without a pool.
func spawnJoin(_ count: Int) {
    var threads = [pthread_t](repeating: pthread_t(), count: count)
    for index in 0..<count {
        let rc = pthread_create(&threads[index], nil, { _ in nil }, nil)
        precondition(rc == 0, "pthread_create: \(rc)")
    }
    for thread in threads { pthread_join(thread, nil) }
}

/// The baseline pool: one pthread mutex guards a task list, a round counter
/// and a count of finished workers; condition variables wake the workers and
/// the caller. This is the shape of a pool written with the standard tools.
final class CondvarPool: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let workReady = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private let roundDone = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    // Guarded by `mutex`.
    private var round = 0
    private var finished = 0
    private var queue: [@Sendable () -> Void] = []
    private var head = 0
    private var stopping = false
    private var threads: [pthread_t] = []
    let count: Int

    init(threads count: Int) {
        self.count = count
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(workReady, nil)
        pthread_cond_init(roundDone, nil)
        for _ in 0..<count {
            var thread = pthread_t()
            let rc = pthread_create(&thread, nil, { raw in
                Unmanaged<CondvarPool>.fromOpaque(raw!).takeUnretainedValue().work()
                return nil
            }, Unmanaged.passUnretained(self).toOpaque())
            precondition(rc == 0, "pthread_create: \(rc)")
            threads.append(thread)
        }
    }

    private func work() {
        var seenRound = 0
        pthread_mutex_lock(mutex)
        while true {
            if round != seenRound {
                seenRound = round
                finished += 1
                if finished == count { pthread_cond_signal(roundDone) }
            } else if head < queue.count {
                let task = queue[head]
                head += 1
                if head == queue.count { queue.removeAll(keepingCapacity: true); head = 0 }
                pthread_mutex_unlock(mutex)
                task()
                pthread_mutex_lock(mutex)
            } else if stopping {
                break
            } else {
                pthread_cond_wait(workReady, mutex)
            }
        }
        pthread_mutex_unlock(mutex)
    }

    /// Every worker runs an empty round; returns when all have.
    func forkJoin() {
        pthread_mutex_lock(mutex)
        round += 1
        finished = 0
        pthread_cond_broadcast(workReady)
        while finished < count { pthread_cond_wait(roundDone, mutex) }
        pthread_mutex_unlock(mutex)
    }

    func submit(_ task: @escaping @Sendable () -> Void) {
        pthread_mutex_lock(mutex)
        queue.append(task)
        pthread_cond_signal(workReady)
        pthread_mutex_unlock(mutex)
    }

    func stop() {
        pthread_mutex_lock(mutex)
        stopping = true
        pthread_cond_broadcast(workReady)
        pthread_mutex_unlock(mutex)
        for thread in threads { pthread_join(thread, nil) }
    }
}
