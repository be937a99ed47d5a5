import CoreMetrics
import MCPStats

/// What the bridge already reported: the swift-metrics handles it made (each once) and the
/// values they had at the last export, so the next export applies only the difference.
struct BridgeState {
    struct SeriesKey: Hashable {
        var upstream: String
        var method: String
        var tool: String?
    }

    struct MetricKey: Hashable {
        var name: String
        /// Label names and values flattened: name, value, name, value...
        var labels: [String]
    }

    /// A counter and the value it was last brought to.
    struct ExportedCounter {
        let handle: CoreMetrics.Counter
        var last: Int
    }

    /// One request series' handles.
    struct ExportedSeries {
        /// `mcp_proxy_requests_total` for each outcome, in ``outcomes`` order.
        var outcomes: [ExportedCounter]
        /// `mcp_proxy_request_errors_total` by code.
        var codes: [Int: ExportedCounter] = [:]
        let timer: CoreMetrics.Timer
        /// Count of each latency cell (its lowest value) at the last export.
        var cells: [UInt64: Int] = [:]
        /// The series' request count when the cells were last read.
        var cellsCount = 0
        let dimensions: [(String, String)]
    }

    /// The `outcome` label values, as in the Prometheus text.
    static let outcomes = ["success", "error", "timeout", "cancelled", "upstream_unavailable"]

    var series: [SeriesKey: ExportedSeries] = [:]
    var counters: [MetricKey: ExportedCounter] = [:]
    var gauges: [MetricKey: CoreMetrics.Gauge] = [:]

    /// Whether the cells of the series with this key must be read: it has requests the last
    /// export did not see.
    func needsCells(_ key: SeriesKey, count: Int) -> Bool {
        count > (series[key]?.cellsCount ?? 0)
    }

    mutating func apply(_ reading: StatsExport.Series, factory: any MetricsFactory) {
        let key = SeriesKey(upstream: reading.upstream, method: reading.method, tool: reading.tool)
        var exported = series[key] ?? Self.makeSeries(reading, factory: factory)
        let values = [reading.successes, reading.errors, reading.timeouts, reading.cancelled, reading.unavailable]
        for index in exported.outcomes.indices {
            exported.outcomes[index].advance(to: values[index])
        }
        for (code, value) in reading.errorCodes {
            var counter = exported.codes[code] ?? ExportedCounter(
                handle: CoreMetrics.Counter(label: StatsExport.requestErrorsTotalName,
                                            dimensions: exported.dimensions + [("code", String(code))], factory: factory),
                last: 0)
            counter.advance(to: value)
            exported.codes[code] = counter
        }
        if !reading.latencyCells.isEmpty { exported.cellsCount = reading.count }
        for cell in reading.latencyCells {
            let previous = exported.cells[cell.nanoseconds] ?? 0
            guard cell.count > previous else { continue }
            let value = Int64(clamping: cell.nanoseconds)
            for _ in previous..<cell.count {
                exported.timer.recordNanoseconds(value)
            }
            exported.cells[cell.nanoseconds] = cell.count
        }
        series[key] = exported
    }

    mutating func apply(counter reading: StatsExport.Metric, factory: any MetricsFactory) {
        let key = MetricKey(name: reading.name, labels: reading.labels.flatMap { [$0.0, $0.1] })
        var counter = counters[key] ?? ExportedCounter(
            handle: CoreMetrics.Counter(label: reading.name, dimensions: reading.labels, factory: factory), last: 0)
        counter.advance(to: reading.value)
        counters[key] = counter
    }

    mutating func apply(gauge reading: StatsExport.Metric, factory: any MetricsFactory) {
        let key = MetricKey(name: reading.name, labels: reading.labels.flatMap { [$0.0, $0.1] })
        let gauge: CoreMetrics.Gauge
        if let existing = gauges[key] {
            gauge = existing
        } else {
            gauge = CoreMetrics.Gauge(label: reading.name, dimensions: reading.labels, factory: factory)
            gauges[key] = gauge
        }
        gauge.record(reading.value)
    }

    private static func makeSeries(_ reading: StatsExport.Series, factory: any MetricsFactory) -> ExportedSeries {
        let dimensions = [("upstream", reading.upstream), ("method", reading.method), ("tool", reading.tool ?? "")]
        return ExportedSeries(
            outcomes: outcomes.map { outcome in
                ExportedCounter(
                    handle: CoreMetrics.Counter(label: StatsExport.requestsTotalName, dimensions: dimensions + [("outcome", outcome)],
                                                factory: factory),
                    last: 0)
            },
            timer: CoreMetrics.Timer(label: StatsExport.requestDurationName, dimensions: dimensions, factory: factory),
            dimensions: dimensions)
    }
}

extension BridgeState.ExportedCounter {
    /// Increments the handle by what `value` gained since the last export. A value that went
    /// down (a counter cannot) is taken as the new base without reporting anything.
    mutating func advance(to value: Int) {
        if value > last {
            handle.increment(by: value - last)
        }
        last = value
    }
}
