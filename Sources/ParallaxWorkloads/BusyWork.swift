import ParallaxConcurrency

/// Calibrated CPU work standing in for the cost of a VM executing a
/// contract.
///
/// `spin(iterations:seed:)` runs a dependent chain of xorshift-multiply
/// steps (each step needs the previous result, and no closed form exists,
/// so the compiler can neither vectorize nor fold it); `burn` hands its
/// result to an unoptimized sink so the loop is not removed, without letting
/// the machine-dependent iteration count leak into any state. `iterationsPerNanosecond` is measured
/// once per process, taking the fastest of several timed runs so that a
/// preempted run does not skew it, and then `iterations(forNanoseconds:)`
/// converts a duration to a count without touching the clock again.
public enum BusyWork {
    @inline(never)
    public static func spin(iterations: Int, seed: UInt64) -> UInt64 {
        var x = seed | 1
        for _ in 0..<iterations {
            x ^= x >> 29
            x &*= 0xBF58_476D_1CE4_E5B9
        }
        return x
    }

    /// Runs `iterations` steps for their time only.
    public static func burn(iterations: Int, seed: UInt64) {
        sink(spin(iterations: iterations, seed: seed))
    }

    @_optimize(none)
    static func sink(_ value: UInt64) {}

    /// Spin iterations per nanosecond on this machine.
    public static let iterationsPerNanosecond: Double = {
        let iterations = 2_000_000
        var best = Int64.max
        var sink: UInt64 = 0
        for run in 0..<7 {
            let start = MonotonicClock.nanoseconds()
            sink ^= spin(iterations: iterations, seed: UInt64(run))
            best = Swift.min(best, MonotonicClock.nanoseconds() - start)
        }
        precondition(sink != 1, "unreachable: keeps the calibration loop alive")
        return Double(iterations) / Double(Swift.max(best, 1))
    }()

    public static func iterations(forNanoseconds nanoseconds: Int) -> Int {
        Int((Double(nanoseconds) * iterationsPerNanosecond).rounded())
    }
}
