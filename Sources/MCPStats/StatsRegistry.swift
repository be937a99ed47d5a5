import Histogram
import Synchronization

/// The registry of all proxy metrics: the one object the proxy injects.
///
/// Lookups (``requestSeries(upstream:method:tool:)``, ``counter(_:help:labels:)``,
/// ``gauge(_:help:labels:)``) are memoised behind one mutex: do them once per key and keep the
/// returned handle, whose recording path is lock-light (a per-series mutex) or lock-free.
///
/// Memory: each request series owns an HdrHistogram of about 220 KB at the defaults
/// (60 s, 3 significant digits); 2 digits make it about 30 KB.
public final class StatsRegistry: Sendable {
    /// Content type of ``prometheusText()`` for an HTTP response.
    public static let prometheusContentType = "text/plain; version=0.0.4; charset=utf-8"
    /// Content type of ``jsonText()`` for an HTTP response.
    public static let jsonContentType = "application/json"

    /// Largest latency a histogram tracks; larger latencies are recorded as this value.
    public let highestTrackableNanoseconds: UInt64
    private let significantDigits: SignificantDigits
    private let state = Mutex(RegistryState())
    /// The last failed requests of every series (the admin status page reads them).
    public let recentErrors = RecentErrors()

    /// Creates an empty registry.
    ///
    /// - Parameters:
    ///   - histogramHighestTrackableNanoseconds: latencies above this are clamped to it.
    ///     Kept within 2 ns ... 2^62 ns.
    ///   - significantDigits: precision of the latency histograms, 0 ... 5 (values outside
    ///     are clamped). Each extra digit costs about 8 times the memory per series.
    public init(histogramHighestTrackableNanoseconds: UInt64 = 60_000_000_000, significantDigits: Int = 3) {
        self.highestTrackableNanoseconds = min(max(histogramHighestTrackableNanoseconds, 2), 1 << 62)
        let digits = Int8(min(max(significantDigits, 0), 5))
        self.significantDigits = SignificantDigits(rawValue: digits) ?? .three
    }

    /// The series for this key, created on first use; the same key always returns the same
    /// instance.
    public func requestSeries(upstream: String, method: String, tool: String?) -> RequestSeries {
        let key = SeriesKey(upstream: upstream, method: method, tool: tool)
        return state.withLock { state in
            if let existing = state.series[key] {
                return existing
            }
            let histogram = Histogram<UInt64>(
                highestTrackableValue: highestTrackableNanoseconds,
                numberOfSignificantValueDigits: significantDigits
            )
            let created = RequestSeries(upstream: upstream, method: method, tool: tool, histogram: histogram, recentErrors: recentErrors)
            state.series[key] = created
            return created
        }
    }

    /// The counter with this name and labels, created on first use; the same name and labels
    /// always return the same instance. The name and label names are sanitised to Prometheus
    /// rules; `help` is kept from the first registration of the name.
    public func counter(_ name: String, help: String, labels: [String: String] = [:]) -> Counter {
        let key = MetricKey(name: PrometheusName.metricName(name), labels: PrometheusName.labels(labels))
        return state.withLock { state in
            if let existing = state.counters[key] {
                return existing
            }
            let family = state.families.claim(key.name, kind: .counter, help: help)
            let created = Counter(name: family.name, help: family.help, labels: key.labelPairs)
            state.counters[key] = created
            return created
        }
    }

    /// The gauge with this name and labels, created on first use; the same name and labels
    /// always return the same instance. The name and label names are sanitised to Prometheus
    /// rules; `help` is kept from the first registration of the name.
    public func gauge(_ name: String, help: String, labels: [String: String] = [:]) -> Gauge {
        let key = MetricKey(name: PrometheusName.metricName(name), labels: PrometheusName.labels(labels))
        return state.withLock { state in
            if let existing = state.gauges[key] {
                return existing
            }
            let family = state.families.claim(key.name, kind: .gauge, help: help)
            let created = Gauge(name: family.name, help: family.help, labels: key.labelPairs)
            state.gauges[key] = created
            return created
        }
    }

    /// A point-in-time copy of every series, counter and gauge, sorted.
    public func snapshot() -> StatsSnapshot {
        let reading = read()
        return StatsSnapshot(
            requests: reading.series.map { RequestSeriesSnapshot(series: $0.series, state: $0.state) },
            counters: reading.counters.map { MetricSnapshot(name: $0.name, labels: Self.dictionary($0.labels), value: $0.value) },
            gauges: reading.gauges.map { MetricSnapshot(name: $0.name, labels: Self.dictionary($0.labels), value: $0.value) }
        )
    }

    /// Everything in the Prometheus text exposition format 0.0.4
    /// (serve with ``prometheusContentType``). See `Documentation/Metrics.md` for the names.
    public func prometheusText() -> String {
        PrometheusRenderer.render(read())
    }

    /// ``snapshot()`` as compact JSON: keys in declaration order, dictionaries sorted by key,
    /// `tool` written as `null` when absent. Decodes back with `JSONDecoder` into an equal
    /// ``StatsSnapshot``.
    public func jsonText() -> String {
        JSONRenderer.render(snapshot())
    }

    /// Copies the handles under the registry lock, then reads each series under its own lock.
    func read() -> RegistryReading {
        let handles = state.withLock { state in
            (Array(state.series.values), Array(state.counters.values), Array(state.gauges.values))
        }
        let series = handles.0
            .sorted(by: Self.seriesOrder)
            .map { (series: $0, state: $0.readState()) }
        let counters = handles.1.sorted { Self.metricOrder(($0.name, $0.labels), ($1.name, $1.labels)) }
        let gauges = handles.2.sorted { Self.metricOrder(($0.name, $0.labels), ($1.name, $1.labels)) }
        return RegistryReading(series: series, counters: counters, gauges: gauges)
    }

    private static func seriesOrder(_ lhs: RequestSeries, _ rhs: RequestSeries) -> Bool {
        if lhs.upstream != rhs.upstream { return lhs.upstream < rhs.upstream }
        if lhs.method != rhs.method { return lhs.method < rhs.method }
        switch (lhs.tool, rhs.tool) {
        case (nil, nil): return false
        case (nil, _): return true
        case (_, nil): return false
        case let (left?, right?): return left < right
        }
    }

    private static func metricOrder(_ lhs: (String, [(String, String)]), _ rhs: (String, [(String, String)])) -> Bool {
        if lhs.0 != rhs.0 { return lhs.0 < rhs.0 }
        for (left, right) in zip(lhs.1, rhs.1) {
            if left.0 != right.0 { return left.0 < right.0 }
            if left.1 != right.1 { return left.1 < right.1 }
        }
        return lhs.1.count < rhs.1.count
    }

    private static func dictionary(_ pairs: [(String, String)]) -> [String: String] {
        Dictionary(pairs, uniquingKeysWith: { first, _ in first })
    }
}
