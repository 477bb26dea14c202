import CParallaxCore
import ParallaxConcurrency
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A fixed set of workers that run one job together: the thread model the
/// parallel executor needs. `broadcast` runs `body(i)` for every worker
/// index `i` in `0..<size`, concurrently, and returns when all have
/// returned. Topology-aware pools (pinned, NUMA-placed) conform to it; the
/// default is `ThreadTeam`.
public protocol WorkerTeam: AnyObject, Sendable {
    var size: Int { get }
    func broadcast(_ body: @escaping @Sendable (Int) -> Void)
}

/// Persistent worker threads, reused for every broadcast, that park on a
/// futex while idle.
///
/// Worker 0 is the thread that calls `broadcast`, so a team of size 1 starts
/// no thread at all and a team of size n starts n - 1 pthreads once.
///
/// ## Protocol
/// `job` and `pending` are published by a fetch-add of the 32-bit
/// `generation` word (release), which the workers load with acquire; a
/// worker that sees a new generation runs the job, then decrements `pending`
/// (acq_rel: the last one sees every worker's writes). The caller runs job
/// 0, then waits for `pending == 0`. Waiting on either side spins for about
/// `spinIterations` pause hints, then parks on the futex word, re-checking
/// on every wake-up (spurious wake-ups are allowed). Wakers always call
/// futex-wake after the change (a sleeper that checked before the change
/// is then either woken or sees the new value in the kernel's comparison).
///
/// `broadcast` is not reentrant and must be called from one thread at a time.
public final class ThreadTeam: WorkerTeam, @unchecked Sendable {
    public let size: Int
    static let spinIterations = 20_000

    private let words: SlotArray
    /// Word 0 of slot 0 (low 32 bits): generation. Slot 1: pending workers.
    /// Slot 2 word 0 (low 32 bits): completion epoch, for the caller to park.
    private let generation: UnsafeMutablePointer<UInt32>
    private let pending: UnsafeMutablePointer<UInt64>
    private let completion: UnsafeMutablePointer<UInt32>
    private var job: (@Sendable (Int) -> Void)?
    private var stopping = false
    private var threads: [pthread_t] = []

    /// - Parameter size: number of workers, including the caller (at least 1).
    public init(size: Int) throws(ThreadTeamError) {
        guard size >= 1, size <= 1024 else { throw .invalidSize(size) }
        self.size = size
        do {
            words = try SlotArray(count: 3, lineSize: .linePair)
        } catch {
            throw .resources("\(error)")
        }
        generation = UnsafeMutableRawPointer(words.word(0)).assumingMemoryBound(to: UInt32.self)
        pending = words.word(1)
        completion = UnsafeMutableRawPointer(words.word(2)).assumingMemoryBound(to: UInt32.self)
        for index in 1..<size {
            let context = Unmanaged.passRetained(WorkerStart(team: self, index: index)).toOpaque()
            var thread = pthread_t()
            let rc = pthread_create(&thread, nil, { raw in
                let start = Unmanaged<WorkerStart>.fromOpaque(raw!).takeRetainedValue()
                start.team.workerLoop(start.index)
                return nil
            }, context)
            guard rc == 0 else {
                Unmanaged<WorkerStart>.fromOpaque(context).release()
                shutdown()
                throw .resources("pthread_create failed with \(rc)")
            }
            threads.append(thread)
        }
    }

    deinit { shutdown() }

    private func shutdown() {
        guard !threads.isEmpty else { return }
        stopping = true
        // Release publishes `stopping` like a job.
        _ = px_atomic32_fetch_add(generation, 1, px_rmw_release)
        _ = px_futex_wake(generation, Int32.max)
        for thread in threads { pthread_join(thread, nil) }
        threads.removeAll()
    }

    public func broadcast(_ body: @escaping @Sendable (Int) -> Void) {
        if size == 1 {
            body(0)
            return
        }
        job = body
        px_atomic_store(pending, UInt64(size - 1), px_store_relaxed)
        // Release: the job and `pending` happen-before the workers' acquire load.
        _ = px_atomic32_fetch_add(generation, 1, px_rmw_release)
        _ = px_futex_wake(generation, Int32.max)
        body(0)
        var spins = 0
        while true {
            let epoch = px_atomic32_load(completion, px_load_acquire)
            // Acquire pairs with the workers' acq_rel decrements.
            if px_atomic_load(pending, px_load_acquire) == 0 { break }
            if spins < ThreadTeam.spinIterations {
                px_cpu_relax()
                spins += 1
            } else {
                _ = px_futex_wait(completion, epoch, 1_000_000)
            }
        }
        job = nil
    }

    private func workerLoop(_ index: Int) {
        // Generation 0 is the state before the first broadcast, whenever this
        // thread gets to run.
        var seen: UInt32 = 0
        while true {
            var spins = 0
            var current = px_atomic32_load(generation, px_load_acquire)
            while current == seen {
                if spins < ThreadTeam.spinIterations {
                    px_cpu_relax()
                    spins += 1
                } else {
                    _ = px_futex_wait(generation, seen, -1)
                }
                current = px_atomic32_load(generation, px_load_acquire)
            }
            seen = current
            if stopping { return }
            job.unsafelyUnwrapped(index)
            if px_atomic_fetch_add(pending, UInt64.max, px_rmw_acq_rel) == 1 {
                _ = px_atomic32_fetch_add(completion, 1, px_rmw_release)
                _ = px_futex_wake(completion, 1)
            }
        }
    }
}

/// Unowned: the team's deinit joins the threads before its memory goes.
private final class WorkerStart {
    unowned(unsafe) let team: ThreadTeam
    let index: Int
    init(team: ThreadTeam, index: Int) {
        self.team = team
        self.index = index
    }
}

public enum ThreadTeamError: Error, Equatable, CustomStringConvertible {
    case invalidSize(Int)
    case resources(String)

    public var description: String {
        switch self {
        case .invalidSize(let size): "a thread team needs 1 to 1024 workers, got \(size)"
        case .resources(let reason): "could not start the thread team: \(reason)"
        }
    }
}
