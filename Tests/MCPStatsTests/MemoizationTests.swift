import MCPStats
import XCTest

final class MemoizationTests: XCTestCase {
    func testSameSeriesKeyReturnsSameInstance() {
        let registry = StatsRegistry()
        let first = registry.requestSeries(upstream: "git", method: "tools/call", tool: "status")
        let second = registry.requestSeries(upstream: "git", method: "tools/call", tool: "status")
        XCTAssertTrue(first === second)
        XCTAssertFalse(first === registry.requestSeries(upstream: "git", method: "tools/call", tool: nil))
        XCTAssertFalse(first === registry.requestSeries(upstream: "git", method: "tools/call", tool: "diff"))
        XCTAssertFalse(first === registry.requestSeries(upstream: "fs", method: "tools/call", tool: "status"))
        XCTAssertEqual(first.upstream, "git")
        XCTAssertEqual(first.method, "tools/call")
        XCTAssertEqual(first.tool, "status")
    }

    func testSameCounterNameAndLabelsReturnSameInstance() {
        let registry = StatsRegistry()
        let first = registry.counter("sessions_total", help: "Sessions.", labels: ["a": "1", "b": "2"])
        let second = registry.counter("sessions_total", help: "Other help.", labels: ["b": "2", "a": "1"])
        XCTAssertTrue(first === second)
        XCTAssertEqual(second.help, "Sessions.")
        XCTAssertFalse(first === registry.counter("sessions_total", help: "Sessions.", labels: ["a": "1"]))
        XCTAssertFalse(first === registry.counter("sessions_total", help: "Sessions.", labels: ["a": "1", "b": "3"]))
        XCTAssertEqual(first.labels.map(\.0), ["a", "b"])
        XCTAssertEqual(first.labels.map(\.1), ["1", "2"])
    }

    func testGaugeMemoizedAndDistinctFromCounter() {
        let registry = StatsRegistry()
        let gauge = registry.gauge("open_sessions", help: "Open sessions.")
        XCTAssertTrue(gauge === registry.gauge("open_sessions", help: "x"))
        let counter = registry.counter("open_sessions", help: "Clash.")
        XCTAssertEqual(gauge.name, "open_sessions")
        XCTAssertEqual(counter.name, "open_sessions_counter", "a name taken by a gauge must not be exported as a counter too")
    }

    func testNamesThatSanitizeAlikeShareAnInstance() {
        let registry = StatsRegistry()
        let first = registry.counter("cache-hits", help: "Hits.", labels: ["up-stream": "x"])
        let second = registry.counter("cache_hits", help: "Hits.", labels: ["up_stream": "x"])
        XCTAssertTrue(first === second)
        XCTAssertEqual(first.name, "cache_hits")
        XCTAssertEqual(first.labels.first?.0, "up_stream")
    }

    func testCounterAndGaugeArithmetic() {
        let registry = StatsRegistry()
        let counter = registry.counter("c", help: "C.")
        counter.increment()
        counter.increment(by: 4)
        counter.increment(by: -3)
        counter.increment(by: 0)
        XCTAssertEqual(counter.value, 5, "negative increments must be ignored")
        let gauge = registry.gauge("g", help: "G.")
        gauge.set(10)
        gauge.add(-15)
        XCTAssertEqual(gauge.value, -5)
        gauge.add(7)
        XCTAssertEqual(gauge.value, 2)
    }
}
