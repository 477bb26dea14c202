#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Samples ranks `0..<count` with probability proportional to
/// `1 / (rank + 1)^exponent` (Zipf's law); exponent 0 is uniform.
///
/// Algorithm: inversion by a precomputed cumulative distribution and binary
/// search (O(count) memory built once, O(log count) per draw, exact up to
/// double rounding). The table is built by summing the weights from the
/// smallest to the largest so that the many tiny tail weights are not lost
/// against a large running sum. Invariants: `cdf` is non-decreasing,
/// `cdf.last == 1`, and every rank whose weight is representable has a
/// non-empty interval `[cdf[r-1], cdf[r])`.
///
/// Uniform sampling skips the table (a multiply-shift of a random word).
public struct ZipfSampler: Sendable, Equatable {
    public let count: Int
    public let exponent: Double
    let cdf: [Double]

    public init(count: Int, exponent: Double) throws(WorkloadError) {
        guard count >= 1 else { throw WorkloadError(parameter: "accounts", reason: "must be at least 1, got \(count)") }
        guard exponent.isFinite, exponent >= 0 else {
            throw WorkloadError(parameter: "zipf", reason: "must be a finite number of 0 or more, got \(exponent)")
        }
        self.count = count
        self.exponent = exponent
        guard exponent > 0 else {
            cdf = []
            return
        }
        var weights = [Double](repeating: 0, count: count)
        for rank in 0..<count { weights[rank] = 1 / pow(Double(rank + 1), exponent) }
        var total = 0.0
        for rank in stride(from: count - 1, through: 0, by: -1) { total += weights[rank] }
        var running = 0.0
        var table = [Double](repeating: 0, count: count)
        for rank in 0..<count {
            running += weights[rank]
            table[rank] = running / total
        }
        table[count - 1] = 1
        cdf = table
    }

    /// Probability of `rank` under this distribution.
    public func probability(of rank: Int) -> Double {
        guard exponent > 0 else { return 1 / Double(count) }
        return cdf[rank] - (rank == 0 ? 0 : cdf[rank - 1])
    }

    @inlinable
    public func sample(_ generator: inout SplitMix64) -> Int {
        let word = generator.next()
        guard exponent > 0 else { return Int(word.multipliedFullWidth(by: UInt64(count)).high) }
        return rank(at: Double(word >> 11) * 0x1p-53)
    }

    /// The first rank whose cumulative probability exceeds `u` in [0, 1).
    @usableFromInline
    func rank(at u: Double) -> Int {
        var low = 0
        var high = count - 1
        while low < high {
            let middle = (low + high) / 2
            if cdf[middle] > u { high = middle } else { low = middle + 1 }
        }
        return low
    }
}
