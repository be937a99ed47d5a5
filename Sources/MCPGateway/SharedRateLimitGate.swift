import Foundation
import JSONRPC
import MCPCluster
import MCPConfig
import MCPProxy
import MCPRouting
import MCPSecurity
import MCPStats

/// `proxy.rateLimits` held across replicas: the proxy's call gate that checks each forwarded
/// request's token buckets in Redis (``SharedRateLimiter``), so a principal's limit holds
/// whichever replica its requests reach.
///
/// It refuses exactly as the in-memory pipeline stage (`RoutedRateLimitMiddleware`) does: error
/// -32029 with `data` `{"reason":"rateLimited","retryAfterMs":N}`, counted in
/// `mcp_proxy_refused_total{reason="rateLimited"}` and logged as refused with reason
/// `rateLimited`, so a client cannot tell which backend decided. The check runs in a task (the
/// request waits there, never an event loop); concurrent checks share the pool's pipelined
/// connections.
///
/// Counters: `mcp_proxy_rate_limit_checks_total{decided_by="redis"|"fallback"}` and
/// `mcp_proxy_rate_limit_refused_total{decided_by=...}`.
struct SharedRateLimitGate: AsyncCallGate {
    let limiter: SharedRateLimiter
    private let coverage: MethodCoverage
    private let decidedByRedis: Counter
    private let decidedByFallback: Counter
    private let refusedByRedis: Counter
    private let refusedByFallback: Counter

    /// A gate over `limiter`, whose entries are `entries` (to know which methods they count).
    init(limiter: SharedRateLimiter, entries: [RateLimitEntry], stats: StatsRegistry) {
        self.limiter = limiter
        coverage = MethodCoverage(entries)
        let checks = "Rate-limit checks of proxy.rateLimits with proxy.cluster.redis, by what decided them (redis, or the failOpen fallback while Redis is unreachable)"
        let refused = "Requests refused by the shared rate limits, by what decided them"
        decidedByRedis = stats.counter("mcp_proxy_rate_limit_checks_total", help: checks, labels: ["decided_by": "redis"])
        decidedByFallback = stats.counter("mcp_proxy_rate_limit_checks_total", help: checks, labels: ["decided_by": "fallback"])
        refusedByRedis = stats.counter("mcp_proxy_rate_limit_refused_total", help: refused, labels: ["decided_by": "redis"])
        refusedByFallback = stats.counter("mcp_proxy_rate_limit_refused_total", help: refused, labels: ["decided_by": "fallback"])
    }

    func applies(to method: MCPMethod) -> Bool {
        coverage.covers(method)
    }

    /// Requests the proxy answers itself count too, as in the pipeline stage (lists, for example).
    func appliesToLocalAnswers(_ method: MCPMethod) -> Bool {
        coverage.covers(method)
    }

    func admitLocalAnswer(_ call: GovernedCall) async -> CallGateDecision {
        await admit(call)
    }

    func admit(_ call: GovernedCall) async -> CallGateDecision {
        let now = DispatchTime.now().uptimeNanoseconds
        // An empty upstream: a request the proxy answers itself (`per: upstream` entries skip it).
        let (decision, decider) = await limiter.decide(
            principal: call.principal, method: MCPMethod(name: call.method), name: call.name,
            upstream: call.upstream.isEmpty ? nil : call.upstream, now: now)
        let refused: Bool
        if case .limited = decision { refused = true } else { refused = false }
        switch decider {
        case .none: break
        case .redis:
            decidedByRedis.increment()
            if refused { refusedByRedis.increment() }
        case .fallback:
            decidedByFallback.increment()
            if refused { refusedByFallback.increment() }
        }
        switch decision {
        case .allowed:
            return .allow(note: nil)
        case .limited(let wait, let entry):
            // No note: the access log shows this refusal as the pipeline stage's (reason rateLimited).
            return .deny(.rateLimited(retryAfterNanoseconds: wait, entry: entry), note: nil)
        }
    }
}

/// Which methods any rate-limit entry may count: an entry with `methods` counts those; one
/// without counts every request but `initialize` and `ping` (as ``TokenBucketRateLimiter``
/// does). Decided per method once, so ``SharedRateLimitGate/applies(to:)`` is a lookup.
struct MethodCoverage: Sendable {
    private let filters: [NameFilter]
    private let anyDefault: Bool

    init(_ entries: [RateLimitEntry]) {
        var filters: [NameFilter] = []
        var anyDefault = false
        for entry in entries {
            if let methods = entry.methods, let filter = try? NameFilter(allow: methods, deny: []) {
                filters.append(filter)
            } else {
                // No methods (or globs the limiter itself rejected at build time): counts by default.
                anyDefault = true
            }
        }
        self.filters = filters
        self.anyDefault = anyDefault
    }

    /// Whether some entry may count a request of `method`.
    func covers(_ method: MCPMethod) -> Bool {
        if anyDefault, method != .initialize, method != .ping, !method.isNotification { return true }
        for filter in filters where filter.permits(method.name) { return true }
        return false
    }
}

extension SharedRateLimitGate {
    /// With `proxy.cluster.redis` and `proxy.rateLimits` both configured on a network front, puts
    /// the shared gate first in the proxy's call gates and removes the in-memory pipeline stage
    /// (one check per request, never both). Otherwise changes nothing.
    static func install(_ config: ProxyConfig, redis: ClusterRedisLink?, network: Bool,
                        security: inout SecurityComponents, options: inout ProxyOptions, stats: StatsRegistry) {
        guard network, let redis, let cluster = config.proxy.cluster, cluster.redisURL != nil,
              let entries = security.rateLimiter else { return }
        let fallback: SharedRateLimiter.Fallback = cluster.redisFailOpen == .deny ? .deny : .local
        let limiter = SharedRateLimiter(redis: redis, isReachable: { redis.isReachable }, entries: entries, fallback: fallback)
        let gate = SharedRateLimitGate(limiter: limiter, entries: entries.entries, stats: stats)
        options.callGate = CallGateChain.combine([gate, options.callGate])
        security.rateLimiter = nil
    }
}
