import MCPStats
import XCTest

final class ConcurrencyTests: XCTestCase {
    func testConcurrentRecordingGivesExactCounts() async {
        let registry = StatsRegistry()
        let tasks = 16
        let perTask = 5_000
        let identities = await withTaskGroup(of: [ObjectIdentifier].self) { group in
            for task in 0..<tasks {
                group.addTask {
                    var seen: [ObjectIdentifier] = []
                    let counter = registry.counter("events_total", help: "Events.")
                    let gauge = registry.gauge("inflight", help: "In flight.")
                    for index in 0..<perTask {
                        // Look the series up now and then, racing with other tasks' lookups.
                        let series = registry.requestSeries(upstream: "up", method: "tools/call", tool: "t\(index % 3)")
                        if index % 999 == 0 { seen.append(ObjectIdentifier(series)) }
                        let outcome: RequestOutcome = switch (task + index) % 5 {
                        case 0: .success
                        case 1: .error(code: -32_602)
                        case 2: .timeout
                        case 3: .cancelled
                        default: .upstreamUnavailable
                        }
                        series.record(latencyNanoseconds: UInt64(index) * 1_000, outcome: outcome)
                        counter.increment()
                        gauge.add(1)
                        gauge.add(-1)
                        if index % 2_500 == 0 { _ = registry.snapshot() }
                    }
                    return seen
                }
            }
            var all: [ObjectIdentifier] = []
            for await part in group { all += part }
            return all
        }
        let snapshot = registry.snapshot()
        XCTAssertEqual(snapshot.requests.count, 3)
        XCTAssertEqual(snapshot.requests.map(\.count).reduce(0, +), tasks * perTask)
        XCTAssertEqual(snapshot.requests.map(\.latency.count).reduce(0, +), tasks * perTask)
        let fifth = tasks * perTask / 5
        XCTAssertEqual(snapshot.requests.map(\.successes).reduce(0, +), fifth)
        XCTAssertEqual(snapshot.requests.map(\.errors).reduce(0, +), fifth)
        XCTAssertEqual(snapshot.requests.map(\.timeouts).reduce(0, +), fifth)
        XCTAssertEqual(snapshot.requests.map(\.cancelled).reduce(0, +), fifth)
        XCTAssertEqual(snapshot.requests.map(\.unavailable).reduce(0, +), fifth)
        XCTAssertEqual(snapshot.requests.compactMap { $0.errorCodes["-32602"] }.reduce(0, +), fifth)
        XCTAssertEqual(snapshot.counters.first?.value, tasks * perTask)
        XCTAssertEqual(snapshot.gauges.first?.value, 0)
        let expectedSeries = registry.requestSeries(upstream: "up", method: "tools/call", tool: "t0")
        XCTAssertEqual(Set(identities), [ObjectIdentifier(expectedSeries)], "every task must get the same t0 series")
    }
}
