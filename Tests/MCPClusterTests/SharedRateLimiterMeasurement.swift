import Foundation
import JSONRPC
import MCPRedis
import MCPSecurity
import RedisTestSupport
import Testing
@testable import MCPCluster

/// What a shared rate-limit check costs against a local redis-server: its latency (one check at
/// a time, and 50 concurrent checks pipelining on a pool of 2) and the Redis commands per check
/// (from `INFO commandstats`). A measurement, not a check: it runs only with
/// MCP_REDIS_MEASURE=1 (and not on a busy machine):
/// `MCP_REDIS_MEASURE=1 swift test --skip-build --filter SharedRateLimiterMeasurement`
@Suite struct SharedRateLimiterMeasurement {
    static let entries = [
        RateLimitEntry(per: .principal, rate: 1_000_000, burst: 1_000_000),
        RateLimitEntry(per: .principalAndTool, rate: 1_000_000, burst: 1_000_000),
    ]

    @Test(.enabled(if: ProcessInfo.processInfo.environment["MCP_REDIS_MEASURE"] == "1"))
    func sharedCheckLatencyAndCommands() async throws {
        try await withRedisServer { server in
            let pool = RedisConnectionPool(configuration: try server.configuration())
            #expect(await pool.waitUntilUp(timeout: .seconds(5)))
            let alice = Principal(subject: "alice", method: .apiKey)
            for (label, entries) in [("1 bucket (per: principal)", Array(Self.entries.prefix(1))), ("2 buckets (principal, principal+tool)", Self.entries)] {
                let limiter = SharedRateLimiter(redis: pool, isReachable: { pool.health.isUp }, entries: try TokenBucketRateLimiter(entries: entries),
                                                fallback: .deny, prefix: "m:\(entries.count):")
                func check() async -> Bool {
                    await limiter.check(principal: alice, method: .toolsCall, name: "alpha__echo", upstream: "alpha", now: 0) == .allowed
                }
                for _ in 0..<500 { _ = await check() }  // warm up (and load the script)
                let before = try await Self.commandCounts(pool)
                var alone: [Duration] = []
                for _ in 0..<5000 {
                    let start = ContinuousClock.now
                    #expect(await check())
                    alone.append(ContinuousClock.now - start)
                }
                let after = try await Self.commandCounts(pool)
                let concurrent = await withTaskGroup(of: [Duration].self) { group in
                    for _ in 0..<50 {
                        group.addTask {
                            var samples: [Duration] = []
                            for _ in 0..<200 {
                                let start = ContinuousClock.now
                                _ = await check()
                                samples.append(ContinuousClock.now - start)
                            }
                            return samples
                        }
                    }
                    return await group.reduce(into: []) { $0 += $1 }
                }
                var perCheckParts: [String] = []
                for name in after.keys.sorted() where name != "info" {
                    let calls = Double(after[name, default: 0] - before[name, default: 0]) / 5000
                    if calls > 0.001 { perCheckParts.append("\(name) " + String(format: "%.2f", calls)) }
                }
                let perCheck = perCheckParts.joined(separator: ", ")
                print("Shared rate-limit check, \(label), one at a time: \(Self.percentiles(alone))")
                print("Shared rate-limit check, \(label), 50 tasks pipelining on a pool of 2: \(Self.percentiles(concurrent))")
                print("Shared rate-limit check, \(label): Redis commands per check: \(perCheck)")
                #expect(limiter.decided.fallback == 0)
            }
            await pool.close()
        }
    }

    static func percentiles(_ samples: [Duration]) -> String {
        let sorted = samples.sorted()
        let at = { (p: Double) in sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] }
        func us(_ duration: Duration) -> String {
            String(format: "%.0f µs", Double(duration.components.attoseconds) / 1e12 + Double(duration.components.seconds) * 1e6)
        }
        return "p50 \(us(at(0.5))), p99 \(us(at(0.99))) over \(sorted.count)"
    }

    /// `cmdstat_<name>:calls=N` from `INFO commandstats`, by command name.
    static func commandCounts(_ redis: some RedisCommandExecutor) async throws -> [String: Int] {
        let text = try await redis.send("INFO", "commandstats").string ?? ""
        var counts: [String: Int] = [:]
        for line in text.split(whereSeparator: \.isNewline) where line.hasPrefix("cmdstat_") {
            let parts = line.dropFirst("cmdstat_".count).split(separator: ":", maxSplits: 1)
            guard parts.count == 2, let calls = parts[1].split(separator: ",").first?.split(separator: "=").last, let value = Int(calls) else { continue }
            counts[String(parts[0])] = value
        }
        return counts
    }
}
