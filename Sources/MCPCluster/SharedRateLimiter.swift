import JSONRPC
import MCPRedis
import MCPSecurity
import Synchronization

/// Rate limits that hold across replicas: the same entries as the in-memory limiter, kept as
/// token buckets in Redis and checked by one atomic script per request.
///
/// When Redis cannot be reached the limiter falls back as configured: `local` checks the same
/// entries in this replica's memory (the effective limit is then up to N times the configured
/// one for N replicas), `deny` refuses what a limit covers. While the pool reports Redis down,
/// the fallback is taken at once, without waiting for a command to fail; the pool reconnects in
/// the background and checks return to Redis as soon as it is back.
public final class SharedRateLimiter: Sendable {
    /// What to do while Redis is unreachable.
    public enum Fallback: Sendable {
        /// Check this replica's own buckets.
        case local
        /// Refuse requests that a limit covers.
        case deny
    }

    /// Counts of how checks were decided, for metrics.
    public struct Counts: Sendable, Equatable {
        /// Checks answered by Redis.
        public var redis = 0
        /// Checks answered by the fallback because Redis was unreachable.
        public var fallback = 0
        /// Checks refused (by Redis or the fallback).
        public var refused = 0
    }

    private let redis: any RedisCommandExecutor
    private let isReachable: @Sendable () -> Bool
    private let local: TokenBucketRateLimiter
    private let fallback: Fallback
    private let prefix: String
    private let idleTTLMilliseconds: Int64
    private let counts = Mutex(Counts())

    /// Creates a limiter over `redis`.
    ///
    /// - Parameters:
    ///   - entries: the in-memory limiter built from `proxy.rateLimits`: it names the buckets of
    ///     each request and serves as the `local` fallback.
    ///   - isReachable: whether Redis is up now (``RedisConnectionPool/health``); false skips to
    ///     the fallback without sending anything.
    ///   - prefix: the key prefix, so several gateways can share one Redis.
    ///   - idleTTL: how long an untouched bucket is kept in Redis.
    public init(
        redis: any RedisCommandExecutor, isReachable: @escaping @Sendable () -> Bool, entries: TokenBucketRateLimiter,
        fallback: Fallback, prefix: String = "mcp-proxy:rl:", idleTTL: Duration = .seconds(600)
    ) {
        self.redis = redis
        self.isReachable = isReachable
        self.local = entries
        self.fallback = fallback
        self.prefix = prefix
        self.idleTTLMilliseconds = max(1000, idleTTL.components.seconds * 1000)
    }

    /// How checks were decided so far.
    public var decided: Counts { counts.withLock { $0 } }

    /// Who decided a check.
    public enum Decider: Sendable, Equatable {
        /// No limit covers the request: nothing was checked.
        case none
        /// The script in Redis.
        case redis
        /// The fallback (`local` buckets or `deny`), because Redis was unreachable.
        case fallback
    }

    /// Checks and charges the request's buckets. `now` (monotonic nanoseconds) is used only by
    /// the local fallback; Redis uses its own clock.
    public func check(principal: Principal, method: MCPMethod, name: String?, upstream: String?, now: UInt64) async -> RateLimitDecision {
        await decide(principal: principal, method: method, name: name, upstream: upstream, now: now).decision
    }

    /// ``check(principal:method:name:upstream:now:)``, and who decided it (for metrics).
    public func decide(principal: Principal, method: MCPMethod, name: String?, upstream: String?, now: UInt64) async -> (decision: RateLimitDecision, decider: Decider) {
        let buckets = local.sharedBuckets(principal: principal, method: method, name: name, upstream: upstream)
        guard !buckets.isEmpty else { return (.allowed, .none) }
        if isReachable() {
            do {
                let decision = try await checkInRedis(buckets)
                record(decision, viaRedis: true)
                return (decision, .redis)
            } catch {
                // Unreachable or failing: the fallback decides, below.
            }
        }
        let decision: RateLimitDecision
        switch fallback {
        case .local:
            decision = local.check(principal: principal, method: method, name: name, upstream: upstream, now: now)
        case .deny:
            decision = .limited(retryAfterNanoseconds: 1_000_000_000, entry: "\(buckets[0].entry) (shared limits are unavailable while Redis is down; proxy.cluster.redis.failOpen is deny)")
        }
        record(decision, viaRedis: false)
        return (decision, .fallback)
    }

    private func checkInRedis(_ buckets: [SharedBucket]) async throws(RedisError) -> RateLimitDecision {
        var keys: [RedisArgument] = []
        var arguments: [RedisArgument] = [.integer(idleTTLMilliseconds)]
        keys.reserveCapacity(buckets.count)
        arguments.reserveCapacity(1 + 2 * buckets.count)
        for bucket in buckets {
            keys.append(.string(prefix + bucket.key))
            arguments.append(.double(bucket.rate))
            arguments.append(.integer(Int64(bucket.burst)))
        }
        let reply = try await redis.run(RedisTokenBucketScript.script, keys: keys, arguments: arguments)
        guard let parts = reply.elements, parts.count == 3, let allowed = parts[0].int, let wait = parts[1].int, let index = parts[2].int else {
            throw .protocolError("the rate-limit script answered \(reply.typeName), not three integers")
        }
        if allowed == 1 { return .allowed }
        let refusing = Int(index) - 1
        let entry = buckets.indices.contains(refusing) ? buckets[refusing].entry : buckets[0].entry
        return .limited(retryAfterNanoseconds: UInt64(max(wait, 0)) * 1000, entry: entry)
    }

    private func record(_ decision: RateLimitDecision, viaRedis: Bool) {
        counts.withLock { counts in
            if viaRedis { counts.redis += 1 } else { counts.fallback += 1 }
            if case .limited = decision { counts.refused += 1 }
        }
    }
}
