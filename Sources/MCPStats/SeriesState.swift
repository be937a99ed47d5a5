import Histogram

/// The mutable numbers of one ``RequestSeries``; lives inside the series' mutex.
///
/// A plain value so that a reader can copy it out under the lock in O(1) (the histogram's
/// storage is copy-on-write) and do the expensive work (percentiles, buckets) after unlocking.
struct SeriesState: Sendable {
    var histogram: Histogram<UInt64>
    var count: Int = 0
    var errors: Int = 0
    var timeouts: Int = 0
    var cancelled: Int = 0
    var unavailable: Int = 0
    /// Saturating sum of all recorded (clamped) latencies, for the mean and Prometheus `_sum`.
    var sumNanoseconds: UInt64 = 0
    /// Requests whose latency was above the histogram's range (recorded as its highest value);
    /// the Prometheus buckets leave them out so they only appear in `+Inf`.
    var overLimit: Int = 0
    var errorCodes: [Int: Int] = [:]

    init(histogram: Histogram<UInt64>) {
        self.histogram = histogram
    }

    /// Records one request. `latency` must already be clamped to the histogram's range;
    /// `clamped` says whether it was.
    @inline(__always)
    mutating func record(latency: UInt64, clamped: Bool, outcome: RequestOutcome) {
        histogram.record(latency)
        count &+= 1
        if clamped {
            overLimit &+= 1
        }
        let (sum, overflow) = sumNanoseconds.addingReportingOverflow(latency)
        sumNanoseconds = overflow ? .max : sum
        switch outcome {
        case .success:
            break
        case .error(let code):
            errors &+= 1
            errorCodes[code, default: 0] &+= 1
        case .timeout:
            timeouts &+= 1
        case .cancelled:
            cancelled &+= 1
        case .upstreamUnavailable:
            unavailable &+= 1
        }
    }

    /// Count, min, max, mean and percentiles of the recorded latencies (all zero when empty).
    func latencySummary() -> LatencySummary {
        guard count > 0, histogram.totalCount > 0 else {
            return LatencySummary()
        }
        let mean = sumNanoseconds / UInt64(count)
        return LatencySummary(
            count: count,
            minNanoseconds: histogram.min,
            maxNanoseconds: histogram.maxRecorded,
            meanNanoseconds: mean,
            p50Nanoseconds: histogram.valueAtPercentile(50.0),
            p90Nanoseconds: histogram.valueAtPercentile(90.0),
            p99Nanoseconds: histogram.valueAtPercentile(99.0),
            p999Nanoseconds: histogram.valueAtPercentile(99.9)
        )
    }
}
