import MCPStats
import XCTest

final class ExtremeValueTests: XCTestCase {
    func testHugeAndZeroLatenciesAreClampedNotFatal() throws {
        let registry = StatsRegistry()
        let series = registry.requestSeries(upstream: "u", method: "m", tool: nil)
        series.record(latencyNanoseconds: 0, outcome: .success)
        series.record(latencyNanoseconds: .max, outcome: .timeout)
        series.record(latencyNanoseconds: .max, outcome: .timeout)
        series.record(latencyNanoseconds: 60_000_000_001, outcome: .timeout)
        let latency = series.snapshot().latency
        XCTAssertEqual(latency.count, 4)
        XCTAssertEqual(latency.minNanoseconds, 0)
        XCTAssertEqual(latency.maxNanoseconds, 60_000_000_000)
        XCTAssertEqual(latency.p999Nanoseconds, 60_000_000_000)
        XCTAssertEqual(latency.meanNanoseconds, 45_000_000_000)
        let exposition = try PrometheusExposition(parsing: registry.prometheusText())
        assertWellFormed(exposition)
        let buckets = exposition.samples.filter { $0.name == "mcp_proxy_request_duration_seconds_bucket" }
        XCTAssertEqual(buckets.first?.value, 1, "the zero latency is in the first bucket")
        XCTAssertEqual(buckets.dropLast().last?.value, 1, "clamped latencies stay out of le=60")
        XCTAssertEqual(buckets.last?.value, 4)
        _ = registry.jsonText()
    }

    func testOutOfRangeConfigurationIsClamped() throws {
        for (highest, digits) in [(0, -4), (1, 0), (3, 1), (1_000, 2), (UInt64.max, 3), (10_000_000, 9)] as [(UInt64, Int)] {
            let registry = StatsRegistry(histogramHighestTrackableNanoseconds: highest, significantDigits: digits)
            let series = registry.requestSeries(upstream: "u", method: "m", tool: "t")
            for value in [0, 1, 2, 3, 999, 100_000, 1_000_000_000, UInt64.max / 2, UInt64.max] as [UInt64] {
                series.record(latencyNanoseconds: value, outcome: .success)
            }
            let snapshot = series.snapshot()
            XCTAssertEqual(snapshot.count, 9)
            XCTAssertEqual(snapshot.latency.maxNanoseconds, registry.highestTrackableNanoseconds)
            XCTAssertLessThanOrEqual(snapshot.latency.p50Nanoseconds, registry.highestTrackableNanoseconds)
            let exposition = try PrometheusExposition(parsing: registry.prometheusText())
            assertWellFormed(exposition)
        }
    }

    func testSumSaturatesInsteadOfOverflowing() throws {
        let registry = StatsRegistry(histogramHighestTrackableNanoseconds: 1 << 62)
        let series = registry.requestSeries(upstream: "u", method: "m", tool: nil)
        for _ in 0..<8 {
            series.record(latencyNanoseconds: 1 << 62, outcome: .success)
        }
        XCTAssertEqual(series.snapshot().latency.meanNanoseconds, UInt64.max / 8)
        let exposition = try PrometheusExposition(parsing: registry.prometheusText())
        assertWellFormed(exposition)
    }
}
