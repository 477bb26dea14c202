import CParallaxCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A futex-backed parking spot: a 32-bit epoch that wakers bump and sleepers
/// wait on, and a 32-bit count of sleepers, side by side in C memory.
///
/// Protocol (a Dekker pair, which is why both sides use sequentially
/// consistent operations):
///
///     sleeper                             waker
///     waiters += 1          (seq_cst)     publish the condition (release)
///     e = epoch             (acquire)     fence                 (seq_cst)
///     if !condition: futex_wait(epoch, e) if waiters != 0: epoch += 1; futex_wake
///     waiters -= 1
///
/// Either the waker sees the sleeper's count, or the sleeper sees the
/// published condition; an epoch bump between the sleeper's read and its wait
/// makes the wait return at once. Wakers that skip the fence (the queue's
/// non-blocking operations) can miss a sleeper that is just going to sleep;
/// the sleep's timeout bounds that delay.
@usableFromInline
struct ParkingWord: @unchecked Sendable {
    @usableFromInline let epoch: UnsafeMutablePointer<UInt32>
    @usableFromInline let waiters: UnsafeMutablePointer<UInt32>

    @usableFromInline
    init(_ memory: UnsafeMutableRawPointer) {
        epoch = memory.assumingMemoryBound(to: UInt32.self)
        waiters = epoch + 1
    }

    @inlinable @inline(__always)
    func wakeIfWaiting(fenced: Bool) {
        if fenced { px_atomic_fence(px_fence_seq_cst) }
        // Relaxed: only a hint whether the slow path is needed; see the protocol.
        if px_atomic32_load(waiters, px_load_relaxed) != 0 { wakeAll() }
    }

    @usableFromInline
    func wakeAll() {
        // Release pairs with the sleeper's acquire read of the epoch.
        _ = px_atomic32_fetch_add(epoch, 1, px_rmw_release)
        _ = px_futex_wake(epoch, Int32.max)
    }

    /// Sleeps until woken, `timeoutNanoseconds` pass, or `ready()` holds.
    @usableFromInline
    func park(timeoutNanoseconds: Int64 = 1_000_000, until ready: () -> Bool) {
        _ = px_atomic32_fetch_add(waiters, 1, px_rmw_seq_cst)
        let seen = px_atomic32_load(epoch, px_load_acquire)
        if !ready() {
            _ = px_futex_wait(epoch, seen, timeoutNanoseconds)
        }
        _ = px_atomic32_fetch_sub(waiters, 1, px_rmw_release)
    }
}

/// Monotonic time in nanoseconds (CLOCK_MONOTONIC), for deadlines and harness timing.
public enum MonotonicClock {
    @inlinable
    public static func nanoseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Int64(now.tv_sec) &* 1_000_000_000 &+ Int64(now.tv_nsec)
    }
}
