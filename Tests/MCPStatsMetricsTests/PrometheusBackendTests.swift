import CoreMetrics
import Foundation
import MCPStats
import MCPStatsMetrics
import Prometheus
import XCTest

/// swift-prometheus as the backend, with the bucket bounds of `Documentation/Metrics.md`: its
/// text has the same samples as the registry's own `/metrics` text, histogram buckets included.
final class PrometheusBackendTests: XCTestCase {
    func testSwiftPrometheusRendersTheSameSamplesAsTheAdminMetrics() throws {
        let stats = StatsRegistry(significantDigits: 2)
        let latencies: [UInt64] = [50_000, 100_000, 99_000, 1_000_000, 1_003_000, 2_400_000, 7_000_000, 120_000_000, 2_000_000_000, 59_000_000_000]
        let series = stats.requestSeries(upstream: "git", method: "tools/call", tool: "status")
        for (index, latency) in latencies.enumerated() {
            series.record(latencyNanoseconds: latency, outcome: index % 3 == 0 ? .error(code: -32602) : .success)
        }
        stats.requestSeries(upstream: "time", method: "resources/read", tool: nil).record(latencyNanoseconds: 300_000, outcome: .timeout)
        stats.counter("mcp_proxy_refused_total", help: "r", labels: ["reason": "rateLimited"]).increment(by: 3)
        stats.gauge("mcp_proxy_upstream_sessions", help: "s", labels: ["upstream": "git"]).set(2)

        var factory = PrometheusMetricsFactory(registry: PrometheusCollectorRegistry())
        factory.durationHistogramBuckets["mcp_proxy_request_duration_seconds"] =
            [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60].map { .seconds($0) }
        let bridge = StatsMetricsBridge(registry: stats, factory: factory)
        bridge.export()

        let ours = Self.samples(stats.prometheusText(), skipSums: true)
        let theirs = Self.samples(factory.registry.emitToString(), skipSums: true)
        XCTAssertEqual(theirs.filter { $0.hasPrefix("mcp_proxy_request_duration_seconds_bucket|") }.count, 2 * 19,
                       "18 bounds and +Inf for each of the two series")
        XCTAssertEqual(theirs.filter { $0.hasPrefix("mcp_proxy_requests_total|") }.count, 2 * 5)
        XCTAssertEqual(theirs, ours, "only in swift-prometheus: \(theirs.subtracting(ours)); only in /metrics: \(ours.subtracting(theirs))")
    }

    /// Every sample as `name|sorted labels|value`, numbers normalised; `_sum` left out when
    /// asked (the backend sums the cells' values, /metrics the exact latencies).
    private static func samples(_ text: String, skipSums: Bool) -> Set<String> {
        var result: Set<String> = []
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " ") else { continue }
            let head = line[..<space]
            let value = Double(line[line.index(after: space)...]) ?? .nan
            let name: Substring
            var labels: [String] = []
            if let brace = head.firstIndex(of: "{") {
                name = head[..<brace]
                let inner = head[head.index(after: brace)..<head.index(before: head.endIndex)]
                for pair in inner.split(separator: ",") {
                    let parts = pair.split(separator: "=", maxSplits: 1)
                    var labelValue = String(parts[1]).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
                    if parts[0] == "le", let bound = Double(labelValue) { labelValue = String(bound) }
                    labels.append("\(parts[0])=\(labelValue)")
                }
            } else {
                name = head
            }
            if skipSums && name.hasSuffix("_sum") { continue }
            result.insert("\(name)|\(labels.sorted().joined(separator: ","))|\(value)")
        }
        return result
    }
}
