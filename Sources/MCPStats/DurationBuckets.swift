import Histogram

/// The fixed bucket bounds of the `mcp_proxy_request_duration_seconds` Prometheus histogram,
/// and their cumulative counts read from an HdrHistogram.
enum DurationBuckets {
    /// Upper bounds (inclusive): the `le` label text and the same bound in nanoseconds.
    /// `+Inf` is implicit and equals the series' total count.
    static let bounds: [(label: String, nanoseconds: UInt64)] = [
        ("0.0001", 100_000),
        ("0.00025", 250_000),
        ("0.0005", 500_000),
        ("0.001", 1_000_000),
        ("0.0025", 2_500_000),
        ("0.005", 5_000_000),
        ("0.01", 10_000_000),
        ("0.025", 25_000_000),
        ("0.05", 50_000_000),
        ("0.1", 100_000_000),
        ("0.25", 250_000_000),
        ("0.5", 500_000_000),
        ("1", 1_000_000_000),
        ("2.5", 2_500_000_000),
        ("5", 5_000_000_000),
        ("10", 10_000_000_000),
        ("30", 30_000_000_000),
        ("60", 60_000_000_000),
    ]

    /// Cumulative count of recorded values at or below each bound of ``bounds``, same order.
    ///
    /// A value counts as at or below a bound when it shares the bound's histogram cell or a
    /// lower one, so a bound is exact to the histogram's resolution (0.1% at 3 significant
    /// digits). One pass over the cells up to the last bound; never reads past the histogram.
    /// The `overLimit` values that were clamped into the highest cell are left out of every
    /// bucket (they belong in `+Inf` only).
    static func cumulativeCounts(_ histogram: Histogram<UInt64>, overLimit: UInt64) -> [UInt64] {
        var result: [UInt64] = []
        result.reserveCapacity(bounds.count)
        var cumulative: UInt64 = 0
        // First value not yet counted; nil once the histogram's range is exhausted.
        var nextUncounted: UInt64? = 0
        let highest = histogram.highestTrackableValue
        for bound in bounds {
            if let low = nextUncounted, low <= bound.nanoseconds {
                cumulative &+= histogram.count(within: low...bound.nanoseconds)
                let cellTop = histogram.highestEquivalentForValue(bound.nanoseconds)
                if cellTop >= highest {
                    // This bucket reached the highest cell, where clamped values sit.
                    cumulative -= min(overLimit, cumulative)
                    nextUncounted = nil
                } else {
                    nextUncounted = cellTop + 1
                }
            }
            result.append(cumulative)
        }
        return result
    }
}
