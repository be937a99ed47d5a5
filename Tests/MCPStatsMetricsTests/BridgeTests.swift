import CoreMetrics
import MCPStats
import MCPStatsMetrics
import MetricsTestKit
import XCTest

/// The bridge driven from a registry directly, into swift-metrics' in-memory test backend
/// (an explicit factory: no process-wide bootstrap needed).
final class BridgeTests: XCTestCase {
    private let series = [("upstream", "git"), ("method", "tools/call"), ("tool", "status")]

    func testRequestSeriesBecomeCountersByOutcomeAndCodeAndATimer() throws {
        let registry = StatsRegistry(significantDigits: 2)
        let metrics = TestMetrics()
        let bridge = StatsMetricsBridge(registry: registry, factory: metrics)
        let handle = registry.requestSeries(upstream: "git", method: "tools/call", tool: "status")
        handle.record(latencyNanoseconds: 1_200_000, outcome: .success)
        handle.record(latencyNanoseconds: 30_000_000, outcome: .error(code: -32602))
        handle.record(latencyNanoseconds: 5_000_000, outcome: .timeout)
        bridge.export()

        XCTAssertEqual(try metrics.expectCounter("mcp_proxy_requests_total", series + [("outcome", "success")]).totalValue, 1)
        XCTAssertEqual(try metrics.expectCounter("mcp_proxy_requests_total", series + [("outcome", "error")]).totalValue, 1)
        XCTAssertEqual(try metrics.expectCounter("mcp_proxy_requests_total", series + [("outcome", "timeout")]).totalValue, 1)
        XCTAssertEqual(try metrics.expectCounter("mcp_proxy_requests_total", series + [("outcome", "cancelled")]).totalValue, 0,
                       "every outcome exists, zeros included, as in /metrics")
        XCTAssertEqual(try metrics.expectCounter("mcp_proxy_request_errors_total", series + [("code", "-32602")]).totalValue, 1)
        let timer = try metrics.expectTimer("mcp_proxy_request_duration_seconds", series)
        XCTAssertEqual(timer.values.count, 3)
        // Each latency at the histogram's resolution (2 significant digits: within 1%, never above).
        for (recorded, actual) in zip(timer.values.sorted(), [1_200_000, 5_000_000, 30_000_000] as [Int64]) {
            XCTAssertLessThanOrEqual(recorded, actual)
            XCTAssertGreaterThanOrEqual(Double(recorded), Double(actual) * 0.99)
        }
    }

    func testAnExportAppliesOnlyWhatChangedSinceTheLastOne() throws {
        let registry = StatsRegistry(significantDigits: 2)
        let metrics = TestMetrics()
        let bridge = StatsMetricsBridge(registry: registry, factory: metrics)
        let handle = registry.requestSeries(upstream: "git", method: "tools/call", tool: "status")
        let counter = registry.counter("mcp_proxy_retries_total", help: "Retries", labels: ["upstream": "git"])
        handle.record(latencyNanoseconds: 2_000_000, outcome: .success)
        counter.increment(by: 3)
        bridge.export()
        bridge.export()   // nothing new: nothing reported
        handle.record(latencyNanoseconds: 2_000_000, outcome: .success)
        handle.record(latencyNanoseconds: 90_000_000, outcome: .success)
        counter.increment()
        bridge.export()

        let success = try metrics.expectCounter("mcp_proxy_requests_total", series + [("outcome", "success")])
        XCTAssertEqual(success.values, [1, 2], "one increment per export that saw new requests, by the increase")
        XCTAssertEqual(success.totalValue, 3)
        let retries = try metrics.expectCounter("mcp_proxy_retries_total", [("upstream", "git")])
        XCTAssertEqual(retries.values, [3, 1])
        let timer = try metrics.expectTimer("mcp_proxy_request_duration_seconds", series)
        XCTAssertEqual(timer.values.count, 3, "every latency exactly once")
        XCTAssertEqual(timer.values.filter { $0 > 80_000_000 }.count, 1)
    }

    func testGaugesAreSetAtEveryExportAndFreeCountersKeepTheirLabels() throws {
        let registry = StatsRegistry(significantDigits: 2)
        let metrics = TestMetrics()
        let bridge = StatsMetricsBridge(registry: registry, factory: metrics)
        let gauge = registry.gauge("mcp_proxy_upstream_sessions", help: "Sessions", labels: ["upstream": "git"])
        let refused = registry.counter("mcp_proxy_refused_total", help: "Refused", labels: ["reason": "rateLimited"])
        gauge.set(2)
        refused.increment(by: 4)
        bridge.export()
        gauge.set(1)
        bridge.export()

        XCTAssertEqual(try metrics.expectGauge("mcp_proxy_upstream_sessions", [("upstream", "git")]).values, [2, 1])
        XCTAssertEqual(try metrics.expectCounter("mcp_proxy_refused_total", [("reason", "rateLimited")]).totalValue, 4)
    }

    func testTheSeriesAreTheOnesTheRegistryRendersAsPrometheusText() throws {
        let registry = StatsRegistry(significantDigits: 2)
        let metrics = TestMetrics()
        let bridge = StatsMetricsBridge(registry: registry, factory: metrics)
        registry.requestSeries(upstream: "a", method: "resources/read", tool: nil).record(latencyNanoseconds: 1_000, outcome: .cancelled)
        registry.counter("mcp_proxy_breaker_transitions_total", help: "t", labels: ["upstream": "a", "replica": "0", "state": "open"]).increment()
        registry.gauge("mcp_proxy_breaker_state", help: "s", labels: ["upstream": "a", "replica": "0"]).set(2)
        bridge.export()

        // Every counter and gauge sample line of /metrics, as name{labels} value.
        var exported: Set<String> = []
        for counter in metrics.counters {
            exported.insert(Self.sample(counter.label, counter.dimensions, Int(counter.totalValue)))
        }
        for recorder in metrics.recorders where !recorder.aggregate {
            exported.insert(Self.sample(recorder.label, recorder.dimensions, Int(recorder.lastValue ?? -1)))
        }
        let text = registry.prometheusText()
        let samples = Set(text.split(separator: "\n").map(String.init).filter {
            !$0.hasPrefix("#") && !$0.contains("_bucket") && !$0.contains("_sum") && !$0.contains("_count")
        })
        XCTAssertEqual(exported, samples, "the backend sees every counter and gauge of /metrics, same names, labels and values")
        let timer = try metrics.expectTimer("mcp_proxy_request_duration_seconds", [("upstream", "a"), ("method", "resources/read"), ("tool", "")])
        XCTAssertEqual(timer.values.count, 1)
        XCTAssertTrue(text.contains(#"mcp_proxy_request_duration_seconds_count{upstream="a",method="resources/read",tool=""} 1"#), text)
    }

    func testStartExportsPeriodicallyAndStopExportsTheLastNumbers() async throws {
        let registry = StatsRegistry(significantDigits: 2)
        let metrics = TestMetrics()
        let counter = registry.counter("mcp_proxy_client_messages_total", help: "m")
        let bridge = registry.startSwiftMetricsExport(every: .milliseconds(20), factory: metrics)
        counter.increment()
        try await eventually { (try? metrics.expectCounter("mcp_proxy_client_messages_total").totalValue) == 1 }
        counter.increment(by: 2)
        await bridge.stop()
        XCTAssertEqual(try metrics.expectCounter("mcp_proxy_client_messages_total").totalValue, 3)
        counter.increment()
        try await Task.sleep(for: .milliseconds(60))
        XCTAssertEqual(try metrics.expectCounter("mcp_proxy_client_messages_total").totalValue, 3, "stopped: nothing more")
    }

    private static func sample(_ name: String, _ labels: [(String, String)], _ value: Int) -> String {
        let text = labels.map { #"\#($0.0)="\#($0.1)""# }.joined(separator: ",")
        return labels.isEmpty ? "\(name) \(value)" : "\(name){\(text)} \(value)"
    }
}

/// Waits until `condition` holds (5 s at most).
func eventually(_ what: String = "the condition", timeout: Duration = .seconds(5), _ condition: () throws -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try condition() { return }
        try await Task.sleep(for: .milliseconds(10))
    }
    XCTFail("timed out waiting for \(what)")
}
