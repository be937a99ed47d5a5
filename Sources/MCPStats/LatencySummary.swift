/// Latency distribution of one request series, in nanoseconds.
///
/// `min`, `max` and `mean` are exact (of the clamped values); percentiles are accurate to the
/// registry's significant digits (0.1% at the default of 3). All fields are 0 when `count` is 0.
public struct LatencySummary: Sendable, Codable, Equatable {
    /// Number of recorded latencies.
    public var count: Int
    /// Smallest recorded latency.
    public var minNanoseconds: UInt64
    /// Largest recorded latency.
    public var maxNanoseconds: UInt64
    /// Arithmetic mean, rounded down.
    public var meanNanoseconds: UInt64
    /// Median.
    public var p50Nanoseconds: UInt64
    /// 90th percentile.
    public var p90Nanoseconds: UInt64
    /// 99th percentile.
    public var p99Nanoseconds: UInt64
    /// 99.9th percentile.
    public var p999Nanoseconds: UInt64

    /// Creates a summary; every field defaults to 0 (an empty series).
    public init(
        count: Int = 0,
        minNanoseconds: UInt64 = 0,
        maxNanoseconds: UInt64 = 0,
        meanNanoseconds: UInt64 = 0,
        p50Nanoseconds: UInt64 = 0,
        p90Nanoseconds: UInt64 = 0,
        p99Nanoseconds: UInt64 = 0,
        p999Nanoseconds: UInt64 = 0
    ) {
        self.count = count
        self.minNanoseconds = minNanoseconds
        self.maxNanoseconds = maxNanoseconds
        self.meanNanoseconds = meanNanoseconds
        self.p50Nanoseconds = p50Nanoseconds
        self.p90Nanoseconds = p90Nanoseconds
        self.p99Nanoseconds = p99Nanoseconds
        self.p999Nanoseconds = p999Nanoseconds
    }
}
