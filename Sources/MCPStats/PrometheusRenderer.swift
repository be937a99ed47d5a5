/// Renders a ``RegistryReading`` as Prometheus text exposition format 0.0.4.
///
/// Families, in order: `mcp_proxy_requests_total`, `mcp_proxy_request_errors_total`,
/// `mcp_proxy_request_duration_seconds` (histogram), then free counters and gauges by name.
/// A family with no samples is left out.
enum PrometheusRenderer {
    static let requestsTotal = "mcp_proxy_requests_total"
    static let requestErrorsTotal = "mcp_proxy_request_errors_total"
    static let requestDuration = "mcp_proxy_request_duration_seconds"

    static func render(_ reading: RegistryReading) -> String {
        var writer = PrometheusTextWriter(capacity: 512 + reading.series.count * 4096 + (reading.counters.count + reading.gauges.count) * 128)
        if !reading.series.isEmpty {
            renderRequests(reading.series, into: &writer)
            renderErrors(reading.series, into: &writer)
            renderDurations(reading.series, into: &writer)
        }
        renderFree(reading.counters.map { ($0.name, $0.help, $0.labels, $0.value) }, type: "counter", into: &writer)
        renderFree(reading.gauges.map { ($0.name, $0.help, $0.labels, $0.value) }, type: "gauge", into: &writer)
        return writer.text
    }

    private static func seriesLabels(_ series: RequestSeries) -> [(String, String)] {
        [("upstream", series.upstream), ("method", series.method), ("tool", series.tool ?? "")]
    }

    private static func renderRequests(_ series: [(series: RequestSeries, state: SeriesState)], into writer: inout PrometheusTextWriter) {
        writer.family(requestsTotal, type: "counter", help: "Requests proxied, by upstream, method, tool and outcome.")
        for (handle, state) in series {
            let labels = seriesLabels(handle)
            let successes = state.count - state.errors - state.timeouts - state.cancelled - state.unavailable
            let outcomes: [(RequestOutcome, Int)] = [
                (.success, successes),
                (.error(code: 0), state.errors),
                (.timeout, state.timeouts),
                (.cancelled, state.cancelled),
                (.upstreamUnavailable, state.unavailable),
            ]
            for (outcome, value) in outcomes {
                writer.sample(requestsTotal, labels: labels + [("outcome", outcome.labelValue)], value: String(value))
            }
        }
    }

    private static func renderErrors(_ series: [(series: RequestSeries, state: SeriesState)], into writer: inout PrometheusTextWriter) {
        guard series.contains(where: { !$0.state.errorCodes.isEmpty }) else { return }
        writer.family(requestErrorsTotal, type: "counter", help: "Requests answered with a JSON-RPC error, by upstream, method, tool and error code.")
        for (handle, state) in series where !state.errorCodes.isEmpty {
            let labels = seriesLabels(handle)
            for (code, value) in state.errorCodes.sorted(by: { $0.key < $1.key }) {
                writer.sample(requestErrorsTotal, labels: labels + [("code", String(code))], value: String(value))
            }
        }
    }

    private static func renderDurations(_ series: [(series: RequestSeries, state: SeriesState)], into writer: inout PrometheusTextWriter) {
        writer.family(requestDuration, type: "histogram", help: "Request latency in seconds, by upstream, method and tool.")
        for (handle, state) in series {
            let labels = seriesLabels(handle)
            let cumulative = DurationBuckets.cumulativeCounts(state.histogram, overLimit: UInt64(state.overLimit))
            for (bound, count) in zip(DurationBuckets.bounds, cumulative) {
                writer.sample(requestDuration + "_bucket", labels: labels + [("le", bound.label)], value: String(count))
            }
            writer.sample(requestDuration + "_bucket", labels: labels + [("le", "+Inf")], value: String(state.count))
            writer.sample(requestDuration + "_sum", labels: labels, value: PrometheusTextWriter.seconds(fromNanoseconds: state.sumNanoseconds))
            writer.sample(requestDuration + "_count", labels: labels, value: String(state.count))
        }
    }

    private static func renderFree(_ metrics: [(name: String, help: String, labels: [(String, String)], value: Int)], type: String, into writer: inout PrometheusTextWriter) {
        var currentFamily: String?
        for metric in metrics {
            if metric.name != currentFamily {
                writer.family(metric.name, type: type, help: metric.help)
                currentFamily = metric.name
            }
            writer.sample(metric.name, labels: metric.labels, value: String(metric.value))
        }
    }
}
