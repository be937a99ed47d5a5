import JSONRPC
import MCPRedis
import MCPSecurity
import RedisTestSupport
import Testing
@testable import MCPCluster

/// The shared rate limiter against a real redis-server: limits hold across limiter instances
/// (replicas), fractional rates refill, and the fallback takes over while Redis is down.
struct SharedRateLimiterTests {
    static let alice = Principal(subject: "alice", method: .apiKey)

    static func limiter(_ pool: RedisConnectionPool, burst: Int = 100, rate: Double = 0.5, fallback: SharedRateLimiter.Fallback = .local) throws -> SharedRateLimiter {
        let entries = try TokenBucketRateLimiter(entries: [RateLimitEntry(per: .principal, rate: rate, burst: burst)])
        return SharedRateLimiter(redis: pool, isReachable: { pool.health.isUp }, entries: entries, fallback: fallback, prefix: "t:\(burst):\(rate):")
    }

    @Test func aBurstHoldsAcrossThreeReplicas() async throws {
        try await withRedisServer { server in
            let pools = try (0..<3).map { _ in RedisConnectionPool(configuration: try server.configuration()) }
            defer { Task { for pool in pools { await pool.close() } } }
            for pool in pools { #expect(await pool.waitUntilUp(timeout: .seconds(5))) }
            let replicas = try pools.map { try Self.limiter($0) }
            // 300 requests spread over three replicas at once: exactly the burst of 100 pass
            // (plus at most a token or two refilled at 0.5/s while they run).
            let allowed = await withTaskGroup(of: Bool.self) { group in
                for index in 0..<300 {
                    group.addTask {
                        await replicas[index % 3].check(principal: Self.alice, method: .toolsCall, name: "t", upstream: "u", now: 0) == .allowed
                    }
                }
                var count = 0
                for await ok in group where ok { count += 1 }
                return count
            }
            #expect((100...102).contains(allowed), "\(allowed) of 300 passed; the burst is 100")
            #expect(replicas.allSatisfy { $0.decided.fallback == 0 })
        }
    }

    @Test func aRefusalSaysWhenToRetryAndFractionalRatesRefill() async throws {
        try await withRedisServer { server in
            let pool = RedisConnectionPool(configuration: try server.configuration())
            defer { Task { await pool.close() } }
            #expect(await pool.waitUntilUp(timeout: .seconds(5)))
            // A token every 2 s: the second check comes long before the next token, even on a
            // loaded machine.
            let limiter = try Self.limiter(pool, burst: 1, rate: 0.5)
            #expect(await limiter.check(principal: Self.alice, method: .toolsCall, name: nil, upstream: nil, now: 0) == .allowed)
            guard case .limited(let wait, let entry) = await limiter.check(principal: Self.alice, method: .toolsCall, name: nil, upstream: nil, now: 0) else {
                Issue.record("the second request within the burst of 1 passed")
                return
            }
            #expect(wait > 0 && wait <= 2_000_000_000, "retry after \(wait) ns")
            #expect(entry.contains("principal"))
            try await Task.sleep(for: .milliseconds(2_100))
            #expect(await limiter.check(principal: Self.alice, method: .toolsCall, name: nil, upstream: nil, now: 0) == .allowed)
        }
    }

    @Test func whileRedisIsDownTheFallbackDecidesAndRedisIsUsedAgainOnceBack() async throws {
        try await withRedisServer { server in
            let pool = RedisConnectionPool(configuration: try server.configuration(commandTimeout: .milliseconds(500)))
            defer { Task { await pool.close() } }
            #expect(await pool.waitUntilUp(timeout: .seconds(5)))
            let local = try Self.limiter(pool, burst: 2, rate: 0.001, fallback: .local)
            let deny = try Self.limiter(pool, burst: 2, rate: 0.001, fallback: .deny)
            server.kill()
            // Local buckets with the same settings: 2 pass, the third is refused.
            var results: [Bool] = []
            for _ in 0..<3 { results.append(await local.check(principal: Self.alice, method: .toolsCall, name: nil, upstream: nil, now: 1) == .allowed) }
            #expect(results == [true, true, false])
            #expect(local.decided.fallback == 3)
            #expect(await deny.check(principal: Self.alice, method: .toolsCall, name: nil, upstream: nil, now: 1) != .allowed)
            try await server.launch()
            #expect(await pool.waitUntilUp(timeout: .seconds(10)), "the pool reconnects within 10 s")
            #expect(await deny.check(principal: Self.alice, method: .toolsCall, name: nil, upstream: nil, now: 1) == .allowed)
            #expect(deny.decided.redis == 1)
        }
    }
}
