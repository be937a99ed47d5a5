import RedisTestSupport
import Foundation
import NIOCore
import Testing
@testable import MCPRedis

/// Round-trip latency of GET against a local redis-server. A measurement, not a check: it runs
/// only with MCP_REDIS_MEASURE=1 (and not on a busy machine):
/// `MCP_REDIS_MEASURE=1 swift test --skip-build --filter RedisLatencyMeasurement`
@Suite struct RedisLatencyMeasurement {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["MCP_REDIS_MEASURE"] == "1"))
    func pipelinedGetRoundTrip() async throws {
        try await withRedisServer { server in
            let pool = RedisConnectionPool(configuration: try server.configuration())
            try await pool.set("k", to: "value")
            for _ in 0..<500 { _ = try await pool.get("k") } // warm up

            var alone: [Duration] = []
            for _ in 0..<5000 {
                let start = ContinuousClock.now
                _ = try await pool.get("k")
                alone.append(ContinuousClock.now - start)
            }
            let concurrent = try await withThrowingTaskGroup(of: [Duration].self) { group in
                for _ in 0..<50 {
                    group.addTask {
                        var samples: [Duration] = []
                        for _ in 0..<200 {
                            let start = ContinuousClock.now
                            _ = try await pool.get("k")
                            samples.append(ContinuousClock.now - start)
                        }
                        return samples
                    }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            func percentiles(_ samples: [Duration]) -> String {
                let sorted = samples.sorted()
                let at = { (p: Double) in sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] }
                return "p50 \(at(0.5)), p99 \(at(0.99)) over \(sorted.count)"
            }
            print("MCPRedis GET round trip, one task at a time: \(percentiles(alone))")
            print("MCPRedis GET round trip, 50 tasks pipelining on a pool of 2: \(percentiles(concurrent))")
            await pool.close()
        }
    }
}
