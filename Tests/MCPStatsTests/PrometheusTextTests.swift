import MCPStats
import XCTest

final class PrometheusTextTests: XCTestCase {
    private func populatedRegistry() -> StatsRegistry {
        let registry = StatsRegistry()
        let call = registry.requestSeries(upstream: "git", method: "tools/call", tool: "status")
        for microseconds in [50, 100, 99, 101, 400, 1_000, 3_000, 70_000, 900_000, 20_000_000] {
            call.record(latencyNanoseconds: UInt64(microseconds) * 1_000, outcome: .success)
        }
        call.record(latencyNanoseconds: 2_000_000, outcome: .error(code: -32_602))
        call.record(latencyNanoseconds: 61_000_000_000, outcome: .timeout)
        registry.requestSeries(upstream: "git", method: "tools/list", tool: nil)
            .record(latencyNanoseconds: 1_500_000, outcome: .success)
        registry.counter("mcp_proxy_sessions_total", help: "Sessions opened.", labels: ["transport": "stdio"]).increment(by: 3)
        registry.counter("mcp_proxy_sessions_total", help: "Sessions opened.", labels: ["transport": "http"]).increment()
        registry.gauge("mcp_proxy_open_sessions", help: "Sessions open now.\nSecond \\ line.").set(-2)
        return registry
    }

    func testEveryLineParsesAndHistogramsAreWellFormed() throws {
        let text = populatedRegistry().prometheusText()
        let exposition = try PrometheusExposition(parsing: text)
        assertWellFormed(exposition)
        XCTAssertEqual(exposition.types["mcp_proxy_requests_total"], "counter")
        XCTAssertEqual(exposition.types["mcp_proxy_request_errors_total"], "counter")
        XCTAssertEqual(exposition.types["mcp_proxy_request_duration_seconds"], "histogram")
        XCTAssertEqual(exposition.types["mcp_proxy_sessions_total"], "counter")
        XCTAssertEqual(exposition.types["mcp_proxy_open_sessions"], "gauge")
        XCTAssertEqual(exposition.help["mcp_proxy_open_sessions"], "Sessions open now.\nSecond \\ line.")
        XCTAssertEqual(exposition.samples.count, 2 * 5 + 1 + 2 * 21 + 2 + 1)
    }

    func testRequestCountersAndBucketValues() throws {
        let exposition = try PrometheusExposition(parsing: populatedRegistry().prometheusText())
        func value(_ name: String, _ labels: [String: String]) -> Double? {
            exposition.samples.first { sample in
                sample.name == name && labels.allSatisfy { sample.label($0.key) == $0.value }
            }?.value
        }
        let status = ["upstream": "git", "method": "tools/call", "tool": "status"]
        XCTAssertEqual(value("mcp_proxy_requests_total", status.merging(["outcome": "success"]) { $1 }), 10)
        XCTAssertEqual(value("mcp_proxy_requests_total", status.merging(["outcome": "error"]) { $1 }), 1)
        XCTAssertEqual(value("mcp_proxy_requests_total", status.merging(["outcome": "timeout"]) { $1 }), 1)
        XCTAssertEqual(value("mcp_proxy_requests_total", status.merging(["outcome": "cancelled"]) { $1 }), 0)
        XCTAssertEqual(value("mcp_proxy_requests_total", status.merging(["outcome": "upstream_unavailable"]) { $1 }), 0)
        XCTAssertEqual(value("mcp_proxy_request_errors_total", status.merging(["code": "-32602"]) { $1 }), 1)
        func bucket(_ le: String) -> Double? {
            value("mcp_proxy_request_duration_seconds_bucket", status.merging(["le": le]) { $1 })
        }
        // 50, 99 and exactly 100 µs are at or below 0.0001 s; 101 µs is not.
        XCTAssertEqual(bucket("0.0001"), 3)
        XCTAssertEqual(bucket("0.00025"), 4)
        XCTAssertEqual(bucket("0.0005"), 5)
        XCTAssertEqual(bucket("0.001"), 6)
        XCTAssertEqual(bucket("0.0025"), 7)
        XCTAssertEqual(bucket("0.005"), 8)
        XCTAssertEqual(bucket("0.1"), 9)
        XCTAssertEqual(bucket("1"), 10)
        XCTAssertEqual(bucket("30"), 11)
        XCTAssertEqual(bucket("60"), 11, "a latency above the trackable range belongs only in +Inf")
        XCTAssertEqual(bucket("+Inf"), 12)
        XCTAssertEqual(value("mcp_proxy_request_duration_seconds_count", status), 12)
        // 50+100+99+101+400+1000+3000+70000+900000+20000000 µs + 2 ms + 60 s (clamped).
        XCTAssertEqual(value("mcp_proxy_request_duration_seconds_sum", status), 80.97675)
        let list = ["upstream": "git", "method": "tools/list", "tool": ""]
        XCTAssertEqual(value("mcp_proxy_request_duration_seconds_sum", list), 0.0015)
        XCTAssertEqual(value("mcp_proxy_sessions_total", ["transport": "stdio"]), 3)
        XCTAssertEqual(value("mcp_proxy_open_sessions", [:]), -2)
    }

    func testLabelValuesAreEscaped() throws {
        let registry = StatsRegistry()
        let nasty = "a\"b\\c\nd}e,f=g é"
        registry.requestSeries(upstream: nasty, method: "tools/call", tool: "x\"y").record(latencyNanoseconds: 10, outcome: .success)
        registry.counter("c", help: "C.", labels: ["path": nasty]).increment()
        let text = registry.prometheusText()
        XCTAssertTrue(text.contains(#"upstream="a\"b\\c\nd}e,f=g é""#), text)
        XCTAssertTrue(text.contains(#"tool="x\"y""#), text)
        let exposition = try PrometheusExposition(parsing: text)
        assertWellFormed(exposition)
        XCTAssertTrue(exposition.samples.contains { $0.label("upstream") == nasty })
        XCTAssertTrue(exposition.samples.contains { $0.name == "c" && $0.label("path") == nasty })
    }

    func testMetricAndLabelNamesAreSanitized() throws {
        let registry = StatsRegistry()
        let counter = registry.counter("9 bad-name.é", help: "Bad.", labels: ["label:with-colon": "v", "1st": "w"])
        counter.increment()
        XCTAssertEqual(counter.name, "_9_bad_name__")
        XCTAssertEqual(counter.labels.map(\.0), ["_1st", "label_with_colon"])
        registry.gauge("ns:sub_metric", help: "Colons are fine in metric names.").set(1)
        registry.gauge("", help: "Empty.").set(1)
        let exposition = try PrometheusExposition(parsing: registry.prometheusText())
        assertWellFormed(exposition)
        XCTAssertEqual(Set(exposition.samples.map(\.name)), ["_9_bad_name__", "ns:sub_metric", "_"])
        for sample in exposition.samples {
            XCTAssertTrue(sample.labels.allSatisfy { PrometheusExposition.isName($0.0, allowColon: false) })
        }
    }

    func testBuiltinNamesCannotBeTakenByFreeMetrics() throws {
        let registry = StatsRegistry()
        registry.requestSeries(upstream: "u", method: "m", tool: nil).record(latencyNanoseconds: 5, outcome: .success)
        let counter = registry.counter("mcp_proxy_requests_total", help: "Clash.")
        let gauge = registry.gauge("mcp_proxy_request_duration_seconds_count", help: "Clash.")
        XCTAssertEqual(counter.name, "mcp_proxy_requests_total_counter")
        XCTAssertEqual(gauge.name, "mcp_proxy_request_duration_seconds_count_gauge")
        let exposition = try PrometheusExposition(parsing: registry.prometheusText())
        assertWellFormed(exposition)
    }

    func testEmptyRegistryRendersNothing() throws {
        XCTAssertEqual(StatsRegistry().prometheusText(), "")
    }
}
