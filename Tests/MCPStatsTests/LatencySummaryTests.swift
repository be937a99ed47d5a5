import MCPStats
import XCTest

final class LatencySummaryTests: XCTestCase {
    private func assertClose(_ actual: UInt64, _ expected: UInt64, tolerance: Double = 0.002, _ what: String, line: UInt = #line) {
        let error = abs(Double(actual) - Double(expected)) / Double(expected)
        XCTAssertLessThanOrEqual(error, tolerance, "\(what): \(actual) vs \(expected)", line: line)
    }

    func testPercentilesOfUniformDistribution() {
        let registry = StatsRegistry()
        let series = registry.requestSeries(upstream: "u", method: "tools/call", tool: "t")
        // 1 µs ... 10 ms in 1 µs steps, shuffled order must not matter.
        for microseconds in (1...10_000).reversed() {
            series.record(latencyNanoseconds: UInt64(microseconds) * 1_000, outcome: .success)
        }
        let latency = series.snapshot().latency
        XCTAssertEqual(latency.count, 10_000)
        XCTAssertEqual(latency.minNanoseconds, 1_000)
        XCTAssertEqual(latency.maxNanoseconds, 10_000_000)
        XCTAssertEqual(latency.meanNanoseconds, 5_000_500)
        assertClose(latency.p50Nanoseconds, 5_000_000, "p50")
        assertClose(latency.p90Nanoseconds, 9_000_000, "p90")
        assertClose(latency.p99Nanoseconds, 9_900_000, "p99")
        assertClose(latency.p999Nanoseconds, 9_990_000, "p99.9")
    }

    func testPercentilesOfSkewedDistribution() {
        let registry = StatsRegistry()
        let series = registry.requestSeries(upstream: "u", method: "ping", tool: nil)
        // 990 fast requests at 200 µs, 9 at 50 ms, 1 at 2 s.
        for _ in 0..<990 { series.record(latencyNanoseconds: 200_000, outcome: .success) }
        for _ in 0..<9 { series.record(latencyNanoseconds: 50_000_000, outcome: .success) }
        series.record(latencyNanoseconds: 2_000_000_000, outcome: .timeout)
        let latency = series.snapshot().latency
        assertClose(latency.p50Nanoseconds, 200_000, "p50")
        assertClose(latency.p90Nanoseconds, 200_000, "p90")
        assertClose(latency.p99Nanoseconds, 200_000, "p99")
        assertClose(latency.p999Nanoseconds, 50_000_000, "p99.9")
        XCTAssertEqual(latency.maxNanoseconds, 2_000_000_000)
        let total: UInt64 = 990 * 200_000 + 9 * 50_000_000 + 2_000_000_000
        XCTAssertEqual(latency.meanNanoseconds, total / 1_000)
    }

    func testEmptySeriesHasZeroSummary() {
        let registry = StatsRegistry()
        let snapshot = registry.requestSeries(upstream: "u", method: "m", tool: nil).snapshot()
        XCTAssertEqual(snapshot.latency, LatencySummary())
        XCTAssertEqual(snapshot.count, 0)
    }

    func testOutcomesAreCountedSeparately() {
        let registry = StatsRegistry()
        let series = registry.requestSeries(upstream: "u", method: "tools/call", tool: "t")
        series.record(latencyNanoseconds: 1, outcome: .success)
        series.record(latencyNanoseconds: 1, outcome: .error(code: -32_602))
        series.record(latencyNanoseconds: 1, outcome: .error(code: -32_602))
        series.record(latencyNanoseconds: 1, outcome: .error(code: -32_000))
        series.record(latencyNanoseconds: 1, outcome: .timeout)
        series.record(latencyNanoseconds: 1, outcome: .cancelled)
        series.record(latencyNanoseconds: 1, outcome: .upstreamUnavailable)
        let snapshot = series.snapshot()
        XCTAssertEqual(snapshot.count, 7)
        XCTAssertEqual(snapshot.successes, 1)
        XCTAssertEqual(snapshot.errors, 3)
        XCTAssertEqual(snapshot.errorCodes, ["-32602": 2, "-32000": 1])
        XCTAssertEqual(snapshot.timeouts, 1)
        XCTAssertEqual(snapshot.cancelled, 1)
        XCTAssertEqual(snapshot.unavailable, 1)
    }
}
