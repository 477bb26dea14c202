import CParallaxCore

/// Exponential backoff for spin loops: spin with `PAUSE`, then yield the CPU,
/// then tell the caller to park.
///
/// Step k of `spin()` issues 2^k pause hints (k capped at `spinLimit`); once
/// spinning is exhausted `snooze()` calls `sched_yield` instead, and after
/// `yieldLimit` steps `isCompleted` turns true: the caller should block (futex)
/// rather than keep burning a core. The limits follow the usual shape of such
/// schemes (a few microseconds of spinning, then a few yields).
public struct Backoff: Sendable {
    public static let spinLimit = 6
    public static let yieldLimit = 10

    @usableFromInline var step: Int = 0

    @inlinable public init() {}

    /// Backs off in a lock-free retry loop (another thread made progress): pause only.
    @inlinable
    public mutating func spin() {
        let exponent = Swift.min(step, Backoff.spinLimit)
        for _ in 0..<(1 << exponent) { px_cpu_relax() }
        if step <= Backoff.spinLimit { step += 1 }
    }

    /// Backs off while waiting for another thread to act: pause, then yield.
    @inlinable
    public mutating func snooze() {
        if step <= Backoff.spinLimit {
            for _ in 0..<(1 << step) { px_cpu_relax() }
        } else {
            px_thread_yield()
        }
        if step <= Backoff.yieldLimit { step += 1 }
    }

    /// True once spinning and yielding are exhausted: time to park.
    @inlinable public var isCompleted: Bool { step > Backoff.yieldLimit }

    @inlinable public mutating func reset() { step = 0 }
}
