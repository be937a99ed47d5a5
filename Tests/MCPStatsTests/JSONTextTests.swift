import Foundation
import MCPStats
import XCTest

final class JSONTextTests: XCTestCase {
    func testJSONDecodesBackToSnapshot() throws {
        let registry = StatsRegistry()
        let weird = "quote\" back\\slash\nline\ttab\u{01}\u{1F} é 🙂 \u{7F}"
        let call = registry.requestSeries(upstream: weird, method: "tools/call", tool: weird)
        call.record(latencyNanoseconds: 1_234_567, outcome: .success)
        call.record(latencyNanoseconds: 7_654_321, outcome: .error(code: -32_602))
        call.record(latencyNanoseconds: 7, outcome: .error(code: 42))
        call.record(latencyNanoseconds: .max, outcome: .timeout)
        registry.requestSeries(upstream: "a", method: "ping", tool: nil).record(latencyNanoseconds: 0, outcome: .cancelled)
        registry.counter("c_total", help: "C.", labels: ["k": weird, "z": "1"]).increment(by: 9)
        registry.gauge("g", help: "G.").set(Int.min)
        let text = registry.jsonText()
        let decoded = try JSONDecoder().decode(StatsSnapshot.self, from: Data(text.utf8))
        XCTAssertEqual(decoded, registry.snapshot())
        XCTAssertEqual(decoded.requests.count, 2)
        XCTAssertEqual(decoded.requests.first?.tool, nil)
        XCTAssertEqual(decoded.requests.last?.tool, weird)
        XCTAssertFalse(text.contains("\n"), "compact JSON has no raw line feeds")
    }

    func testJSONIsDeterministicWithDeclaredKeyOrder() {
        let registry = StatsRegistry()
        let series = registry.requestSeries(upstream: "u", method: "tools/call", tool: "t")
        series.record(latencyNanoseconds: 1_000, outcome: .error(code: 7))
        series.record(latencyNanoseconds: 1_000, outcome: .error(code: -5))
        registry.counter("c", help: "C.", labels: ["b": "2", "a": "1"]).increment()
        let expected = #"{"requests":[{"upstream":"u","method":"tools/call","tool":"t","count":2,"errors":2,"timeouts":0,"#
            + #""cancelled":0,"unavailable":0,"errorCodes":{"-5":1,"7":1},"latency":{"count":2,"minNanoseconds":1000,"#
            + #""maxNanoseconds":1000,"meanNanoseconds":1000,"p50Nanoseconds":1000,"p90Nanoseconds":1000,"#
            + #""p99Nanoseconds":1000,"p999Nanoseconds":1000}}],"counters":[{"name":"c","labels":{"a":"1","b":"2"},"value":1}],"#
            + #""gauges":[]}"#
        XCTAssertEqual(registry.jsonText(), expected)
        XCTAssertEqual(registry.jsonText(), registry.jsonText())
    }

    func testSnapshotIsSorted() {
        let registry = StatsRegistry()
        for (upstream, method, tool) in [("b", "m", "t"), ("a", "z", nil), ("a", "m", "y"), ("a", "m", nil), ("a", "m", "x")] as [(String, String, String?)] {
            registry.requestSeries(upstream: upstream, method: method, tool: tool).record(latencyNanoseconds: 1, outcome: .success)
        }
        registry.counter("z", help: "Z.").increment()
        registry.counter("a", help: "A.", labels: ["k": "2"]).increment()
        registry.counter("a", help: "A.", labels: ["k": "1"]).increment()
        let snapshot = registry.snapshot()
        XCTAssertEqual(snapshot.requests.map { "\($0.upstream) \($0.method) \($0.tool ?? "-")" }, ["a m -", "a m x", "a m y", "a z -", "b m t"])
        XCTAssertEqual(snapshot.counters.map { "\($0.name)\($0.labels["k"] ?? "")" }, ["a1", "a2", "z"])
    }
}
