import Histogram

/// Everything a ``StatsRegistry`` holds, read in one pass for an exporter that forwards it
/// elsewhere (`MCPStatsMetrics` reports it into swift-metrics): the request series with their
/// latency distribution cell by cell, and every counter and gauge. Plain values, sorted like
/// ``StatsRegistry/snapshot()``.
public struct StatsExport: Sendable {
    /// One request series (upstream, method, tool).
    public struct Series: Sendable {
        /// Name of the upstream.
        public let upstream: String
        /// JSON-RPC method.
        public let method: String
        /// Tool name, nil when the method is not `tools/call`.
        public let tool: String?
        /// All recorded requests, whatever their outcome.
        public let count: Int
        /// Requests answered with a JSON-RPC error.
        public let errors: Int
        /// Requests that timed out.
        public let timeouts: Int
        /// Requests cancelled by the client.
        public let cancelled: Int
        /// Requests whose upstream was unavailable.
        public let unavailable: Int
        /// Error count by JSON-RPC error code.
        public let errorCodes: [Int: Int]
        /// Sum of all recorded latencies (saturating).
        public let sumNanoseconds: UInt64
        /// Every recorded latency at the histogram's resolution, ascending: the lowest value of
        /// each cell that holds any, and how many. Latencies above the registry's trackable range
        /// sit in its highest cell.
        public let latencyCells: [LatencyCell]

        /// Requests that succeeded: `count` minus every other outcome.
        public var successes: Int { count - errors - timeouts - cancelled - unavailable }
    }

    /// A histogram cell: latencies from `nanoseconds` up to the next cell, `count` of them.
    public struct LatencyCell: Sendable, Equatable {
        /// The lowest latency of the cell.
        public let nanoseconds: UInt64
        /// How many latencies were recorded in it.
        public let count: Int

        /// Creates a cell.
        public init(nanoseconds: UInt64, count: Int) {
            self.nanoseconds = nanoseconds
            self.count = count
        }
    }

    /// A counter or gauge as exported: sanitised name, help, sorted labels, value.
    public struct Metric: Sendable {
        /// The exported name.
        public let name: String
        /// The `# HELP` text.
        public let help: String
        /// Label pairs sorted by name.
        public let labels: [(String, String)]
        /// The value now.
        public let value: Int
    }

    /// Request series, sorted by upstream, method, tool.
    public let series: [Series]
    /// Counters, sorted by name then labels.
    public let counters: [Metric]
    /// Gauges, sorted by name then labels.
    public let gauges: [Metric]

    /// The names the request series are exported under (the same as in the Prometheus text).
    public static let requestsTotalName = PrometheusRenderer.requestsTotal
    /// See ``requestsTotalName``.
    public static let requestErrorsTotalName = PrometheusRenderer.requestErrorsTotal
    /// See ``requestsTotalName``.
    public static let requestDurationName = PrometheusRenderer.requestDuration
}

extension StatsRegistry {
    /// Reads every series, counter and gauge for an exporter. Each series is copied under its
    /// own lock (O(1), the histogram is copy-on-write); the cells are read after unlocking, so
    /// recording is never held up by more than a copy.
    ///
    /// - Parameter cellsWanted: whether to read a series' latency cells (the expensive part),
    ///   given its key and request count; an exporter that already has the cells for that count
    ///   says false and gets none.
    public func exportReading(
        cellsWanted: (_ upstream: String, _ method: String, _ tool: String?, _ count: Int) -> Bool = { _, _, _, _ in true }
    ) -> StatsExport {
        let reading = read()
        let series = reading.series.map { handle, state in
            StatsExport.Series(
                upstream: handle.upstream, method: handle.method, tool: handle.tool,
                count: state.count, errors: state.errors, timeouts: state.timeouts,
                cancelled: state.cancelled, unavailable: state.unavailable,
                errorCodes: state.errorCodes, sumNanoseconds: state.sumNanoseconds,
                latencyCells: cellsWanted(handle.upstream, handle.method, handle.tool, state.count) ? Self.cells(state.histogram) : [])
        }
        return StatsExport(
            series: series,
            counters: reading.counters.map { StatsExport.Metric(name: $0.name, help: $0.help, labels: $0.labels, value: $0.value) },
            gauges: reading.gauges.map { StatsExport.Metric(name: $0.name, help: $0.help, labels: $0.labels, value: $0.value) })
    }

    private static func cells(_ histogram: Histogram<UInt64>) -> [StatsExport.LatencyCell] {
        guard histogram.totalCount > 0 else { return [] }
        var result: [StatsExport.LatencyCell] = []
        for step in histogram.recordedValues() where step.count > 0 {
            result.append(StatsExport.LatencyCell(
                nanoseconds: histogram.lowestEquivalentForValue(step.value), count: Int(clamping: step.count)))
        }
        return result
    }
}
