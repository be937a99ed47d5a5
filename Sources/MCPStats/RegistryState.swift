/// The memoisation tables of a ``StatsRegistry``; lives inside its mutex.
struct RegistryState: Sendable {
    var series: [SeriesKey: RequestSeries] = [:]
    var counters: [MetricKey: Counter] = [:]
    var gauges: [MetricKey: Gauge] = [:]
    var families = MetricFamilies()
}

/// Key of a request series.
struct SeriesKey: Hashable, Sendable {
    var upstream: String
    var method: String
    var tool: String?
}

/// Key of a counter or gauge: sanitised name and sanitised, sorted labels.
struct MetricKey: Hashable, Sendable {
    var name: String
    /// Label names and values flattened: name, value, name, value...
    var flatLabels: [String]

    init(name: String, labels: [(String, String)]) {
        self.name = name
        self.flatLabels = labels.flatMap { [$0.0, $0.1] }
    }

    var labelPairs: [(String, String)] {
        stride(from: 0, to: flatLabels.count - 1, by: 2).map { (flatLabels[$0], flatLabels[$0 + 1]) }
    }
}

/// Everything read from a registry for one rendering, sorted.
struct RegistryReading: Sendable {
    var series: [(series: RequestSeries, state: SeriesState)]
    var counters: [Counter]
    var gauges: [Gauge]
}
