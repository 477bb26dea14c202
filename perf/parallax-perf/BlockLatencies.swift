import Histogram

/// Per-block execution latencies of one executor in an HDR histogram
/// (Gil Tene's HdrHistogram: log-linear buckets with a fixed relative
/// precision, here 3 significant digits, so p99 of a few blocks or of
/// thousands costs the same and is exact to 0.1%).
///
/// Values are nanoseconds, trackable up to one hour per block.
struct BlockLatencies {
    private var histogram = Histogram<UInt64>(highestTrackableValue: 3_600_000_000_000, numberOfSignificantValueDigits: .three)

    mutating func record(nanoseconds: Int64) {
        _ = histogram.record(UInt64(Swift.max(1, nanoseconds)))
    }

    var count: UInt64 { histogram.totalCount }

    /// Milliseconds at `percentile` (0...100); 0 when nothing was recorded.
    func milliseconds(atPercentile percentile: Double) -> Double {
        count == 0 ? 0 : Double(histogram.valueAtPercentile(percentile)) * 1e-6
    }

    var maxMilliseconds: Double { count == 0 ? 0 : Double(histogram.max) * 1e-6 }

    /// `"latency_p50_ms":…,"latency_p99_ms":…,"latency_max_ms":…` for the JSON objects.
    var jsonFields: String {
        #""latency_p50_ms":\#(rounded(milliseconds(atPercentile: 50), 1e4)),"latency_p99_ms":\#(rounded(milliseconds(atPercentile: 99), 1e4)),"latency_max_ms":\#(rounded(maxMilliseconds, 1e4))"#
    }

    var text: String {
        "block ms p50 \(rounded(milliseconds(atPercentile: 50), 1e3)) p99 \(rounded(milliseconds(atPercentile: 99), 1e3)) max \(rounded(maxMilliseconds, 1e3))"
    }
}
