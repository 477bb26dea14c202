// The contention monitor of `AdaptiveExecutor`, run by Block-STM's own
// workers: it decides when a block has become a dependency chain (or the
// workers are making slower progress than one core would) and yields the
// block, so the adaptive executor can take over the rest in order. A yield
// never changes a result: the committed prefix is final, the rest is
// executed again from the state after it.

import ParallaxConcurrency
#if canImport(Glibc)
import Glibc
#endif

/// What the workers of one Block-STM run watch, copied into `BlockView`.
/// `off` (the plain `ParallelExecutor`) costs one predictable branch per
/// finished execution.
struct BlockMonitor: Sendable {
    /// Whether the workers watch at all.
    var enabled = false
    /// A worker yields the block when at least this many of its last
    /// `window` finished executions were re-executions
    /// (incarnation > 0: the transaction had suspended on or been aborted
    /// by an earlier one).
    var contendedPerWindow: UInt32 = .max
    /// Finished executions per contention window (per worker).
    var window: UInt32 = BlockMonitor.defaultWindow
    /// The caller's estimate of a sequential execution, in nanoseconds per
    /// transaction (0: unknown, no pace check).
    var sequentialNanosecondsPerTransaction: Int64 = 0
    /// When the run started (`MonotonicClock`), for the pace check.
    var start: Int64 = 0
    /// Committed transactions the pace check waits for before judging:
    /// the first ones pay the broadcast's wake-up.
    var paceWarmup: UInt32 = 256

    /// The default `window`.
    static let defaultWindow: UInt32 = 64
    /// Every this-many-th execution of a worker is timed (thread CPU time)
    /// for the caller's cost estimate: two clock reads per sample, about
    /// 0.2% of a 2 us transaction.
    static let sampleStride: UInt32 = 32
    /// The pace check runs on every this-many-th commit (a power of two).
    static let paceStride: UInt32 = 128
    /// Block-STM is behind when its committed prefix took this much longer
    /// than sequential execution of the same transactions would have, in
    /// 1/1024ths: 1.15x.
    static let paceSlack: Int64 = 1178

    static let off = BlockMonitor()

    /// This monitor with its clock started at `now`.
    func started(at now: Int64) -> BlockMonitor {
        var copy = self
        copy.start = now
        return copy
    }
}

/// CPU time of the calling thread, in nanoseconds.
@inline(__always)
func threadCPUNanoseconds() -> Int64 {
    var now = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now)
    return Int64(now.tv_sec) &* 1_000_000_000 &+ Int64(now.tv_nsec)
}

extension ParallelWorker {
    /// Whether to time the next execution (`BlockMonitor.sampleStride`).
    @inline(__always)
    func shouldSample() -> Bool {
        guard scratch.pointee.view.monitor.enabled else { return false }
        if scratch.pointee.sampleCountdown > 0 {
            scratch.pointee.sampleCountdown -= 1
            return false
        }
        scratch.pointee.sampleCountdown = BlockMonitor.sampleStride - 1
        return true
    }

    /// Adds one timed execution that finished (a suspended one stopped early).
    @inline(__always)
    func noteSample(_ nanoseconds: Int64) {
        scratch.pointee.sampledNanoseconds &+= nanoseconds
        scratch.pointee.samples &+= 1
    }

    /// Counts a finished execution in this worker's window and yields the
    /// block when the window was mostly re-executions: on a chain every
    /// transaction first suspends on its predecessor, then runs again, and
    /// one core running the chain in order does the same work without the
    /// hand-offs. Per worker, so no shared counter: contention on a hot key
    /// is seen by every worker alike.
    @inline(__always)
    func noteFinished(incarnation: UInt32) {
        let monitor = scratch.pointee.view.monitor
        guard monitor.enabled else { return }
        scratch.pointee.windowFinished &+= 1
        if incarnation > 0 { scratch.pointee.windowContended &+= 1 }
        guard scratch.pointee.windowFinished >= monitor.window else { return }
        if scratch.pointee.windowContended >= monitor.contendedPerWindow { scheduler.yieldBlock() }
        scratch.pointee.windowFinished = 0
        scratch.pointee.windowContended = 0
    }

    /// Runs under the commit lock after `txn` committed: every
    /// `BlockMonitor.paceStride` commits, compares the wall time since the
    /// run started with the caller's sequential estimate for the committed
    /// prefix, and yields when Block-STM is behind (workers descheduled by
    /// other processes on the same cores, or contention the window missed).
    @inline(__always)
    func notePace(committed txn: UInt32) {
        let monitor = scratch.pointee.view.monitor
        guard monitor.enabled, monitor.sequentialNanosecondsPerTransaction > 0,
              (txn &+ 1) & (BlockMonitor.paceStride - 1) == 0, txn >= monitor.paceWarmup else { return }
        let elapsed = MonotonicClock.nanoseconds() - monitor.start
        let sequential = Int64(txn + 1) * monitor.sequentialNanosecondsPerTransaction
        if elapsed * 1024 > sequential * BlockMonitor.paceSlack { scheduler.yieldBlock() }
    }
}
