import Histogram
import Synchronization

/// Latency and outcome counters for one (upstream, method, tool) key.
///
/// Obtain it once from ``StatsRegistry/requestSeries(upstream:method:tool:)`` and keep it;
/// ``record(latencyNanoseconds:outcome:)`` then only takes this series' own lock for a few
/// nanoseconds and does not allocate (except the first time a new error code is seen).
public final class RequestSeries: Sendable {
    /// Name of the upstream that served the requests.
    public let upstream: String
    /// JSON-RPC method, for example `tools/call`.
    public let method: String
    /// Tool name for `tools/call`, `nil` for other methods.
    public let tool: String?

    /// Largest latency the histogram can hold; larger values are clamped to it.
    let highestTrackableNanoseconds: UInt64
    let state: Mutex<SeriesState>
    /// Where ``recordFailure(outcome:code:message:latencyNanoseconds:)`` keeps failures.
    let recentErrors: RecentErrors?

    init(upstream: String, method: String, tool: String?, histogram: Histogram<UInt64>, recentErrors: RecentErrors? = nil) {
        self.recentErrors = recentErrors
        self.upstream = upstream
        self.method = method
        self.tool = tool
        self.highestTrackableNanoseconds = histogram.highestTrackableValue
        self.state = Mutex(SeriesState(histogram: histogram))
    }

    /// Records one finished request: its latency and how it ended.
    ///
    /// Any latency is accepted: one above the registry's trackable range counts as that
    /// range's highest value in the summary and only in the `+Inf` Prometheus bucket.
    public func record(latencyNanoseconds: UInt64, outcome: RequestOutcome) {
        let clamped = latencyNanoseconds > highestTrackableNanoseconds
        let latency = clamped ? highestTrackableNanoseconds : latencyNanoseconds
        state.withLock { $0.record(latency: latency, clamped: clamped, outcome: outcome) }
    }

    /// A copy of this series' numbers with percentiles computed.
    public func snapshot() -> RequestSeriesSnapshot {
        RequestSeriesSnapshot(series: self, state: readState())
    }

    /// Copies the state out under the lock; the histogram storage is shared copy-on-write.
    func readState() -> SeriesState {
        state.withLock { $0 }
    }
}
