/// Point-in-time copy of everything in a ``StatsRegistry``.
///
/// Each series is read atomically; the snapshot as a whole is not one instant (series are read
/// one after another while recording goes on).
public struct StatsSnapshot: Sendable, Codable, Equatable {
    /// Request series, sorted by upstream, method, then tool (`nil` first).
    public var requests: [RequestSeriesSnapshot]
    /// Counters, sorted by name, then labels.
    public var counters: [MetricSnapshot]
    /// Gauges, sorted by name, then labels.
    public var gauges: [MetricSnapshot]

    /// Creates a snapshot from its parts.
    public init(requests: [RequestSeriesSnapshot] = [], counters: [MetricSnapshot] = [], gauges: [MetricSnapshot] = []) {
        self.requests = requests
        self.counters = counters
        self.gauges = gauges
    }
}
