import Foundation
import JSONRPC
import MCPCluster
import MCPConfig
import MCPProxy
import MCPRedis
import MCPSecurity
import MCPStats
import NIOConcurrencyHelpers
import Testing
@testable import MCPGateway

/// A Redis that answers the rate-limit script from a list of replies (allowed `{1,0,0}`, or
/// refused `{0,wait_us,index}`), or is unreachable.
private final class ScriptedRedis: RedisCommandExecutor {
    let replies = NIOLockedValueBox<[RESPValue]>([])
    let down: Bool

    init(down: Bool = false, replies: [RESPValue] = []) {
        self.down = down
        self.replies.withLockedValue { $0 = replies }
    }

    static func allowed() -> RESPValue { .array([.integer(1), .integer(0), .integer(0)]) }
    static func refused(waitMicroseconds: Int64) -> RESPValue { .array([.integer(0), .integer(waitMicroseconds), .integer(1)]) }

    func send(_ command: RedisCommand) async throws(RedisError) -> RESPValue {
        if down { throw .connectionFailed("down for the test") }
        return replies.withLockedValue { $0.isEmpty ? Self.allowed() : $0.removeFirst() }
    }

    func pipeline(_ commands: [RedisCommand]) async throws(RedisError) -> [RESPValue] {
        var answers: [RESPValue] = []
        for command in commands { answers.append(try await send(command)) }
        return answers
    }
}

private let alice = Principal(subject: "alice", method: .apiKey)

private func call(_ method: String = "tools/call") -> GovernedCall {
    GovernedCall(method: method, name: "alpha__echo", tool: "echo", upstream: "alpha", arguments: nil,
                 principal: alice, session: "s", endpoint: nil)
}

private func gate(_ redis: ScriptedRedis, entries: [RateLimitEntry] = [RateLimitEntry(per: .principal, rate: 1, burst: 2)],
                  fallback: SharedRateLimiter.Fallback = .local, stats: StatsRegistry = StatsRegistry()) throws -> SharedRateLimitGate {
    let local = try TokenBucketRateLimiter(entries: entries)
    let limiter = SharedRateLimiter(redis: redis, isReachable: { !redis.down }, entries: local, fallback: fallback)
    return SharedRateLimitGate(limiter: limiter, entries: entries, stats: stats)
}

private func counter(_ stats: StatsRegistry, _ name: String, _ decidedBy: String) -> Int {
    stats.snapshot().counters.first { $0.name == name && $0.labels["decided_by"] == decidedBy }?.value ?? -1
}

/// The gate that checks `proxy.rateLimits` in Redis: it refuses exactly as the pipeline stage
/// does, counts who decided, covers the methods the entries count, and replaces the stage.
@Suite("SharedRateLimitGate")
struct SharedRateLimitGateTests {
    @Test("a refusal from Redis is the pipeline stage's refusal: -32029, retryAfterMs, reason rateLimited")
    func refusalMatchesTheLocalStage() async throws {
        let stats = StatsRegistry()
        let redis = ScriptedRedis(replies: [ScriptedRedis.allowed(), ScriptedRedis.refused(waitMicroseconds: 1_500)])
        let gate = try gate(redis, stats: stats)
        #expect(await gate.admit(call()) == .allow(note: nil))
        guard case .deny(let refusal, let note) = await gate.admit(call()) else {
            Issue.record("Redis refused, the gate allowed")
            return
        }
        let entry = RateLimitEntry(per: .principal, rate: 1, burst: 2).description
        #expect(refusal == MCPRefusal.rateLimited(retryAfterNanoseconds: 1_500_000, entry: entry))
        #expect(refusal.code.rawValue == -32029)
        #expect(refusal.reason == "rateLimited")
        #expect(refusal.httpHint == nil)
        #expect(String(decoding: refusal.data ?? [], as: UTF8.self) == #"{"reason":"rateLimited","retryAfterMs":2}"#)
        #expect(note == nil, "no policy note: the access log shows it as the stage's refusal")
        #expect(counter(stats, "mcp_proxy_rate_limit_checks_total", "redis") == 2)
        #expect(counter(stats, "mcp_proxy_rate_limit_refused_total", "redis") == 1)
    }

    @Test("the pipeline stage's refusal of the same limit has the same code, data and reason")
    func localStageRefusesTheSameWay() throws {
        let entries = [RateLimitEntry(per: .principal, rate: 1, burst: 1)]
        let local = try TokenBucketRateLimiter(entries: entries)
        #expect(local.check(principal: alice, method: .toolsCall, name: nil, upstream: nil, now: 0) == .allowed)
        guard case .limited(let wait, let entry) = local.check(principal: alice, method: .toolsCall, name: nil, upstream: nil, now: 0) else {
            Issue.record("the local limiter allowed past its burst")
            return
        }
        let refusal = MCPRefusal.rateLimited(retryAfterNanoseconds: wait, entry: entry)
        #expect(refusal.code.rawValue == -32029)
        #expect(String(decoding: refusal.data ?? [], as: UTF8.self) == #"{"reason":"rateLimited","retryAfterMs":1000}"#)
        #expect(refusal.message == "Rate limit exceeded (\(entries[0].description)); retry after 1000 ms")
    }

    @Test("Redis down: failOpen local uses this replica's buckets, deny refuses; both are counted as fallback")
    func fallbacks() async throws {
        let stats = StatsRegistry()
        let local = try gate(ScriptedRedis(down: true), fallback: .local, stats: stats)
        #expect(await local.admit(call()) == .allow(note: nil))
        #expect(await local.admit(call()) == .allow(note: nil))
        guard case .deny(let overBurst, _) = await local.admit(call()) else {
            Issue.record("the local fallback allowed past the burst of 2")
            return
        }
        #expect(overBurst.reason == "rateLimited")
        #expect(counter(stats, "mcp_proxy_rate_limit_checks_total", "fallback") == 3)
        #expect(counter(stats, "mcp_proxy_rate_limit_refused_total", "fallback") == 1)

        let deny = try gate(ScriptedRedis(down: true), fallback: .deny)
        guard case .deny(let refusal, _) = await deny.admit(call()) else {
            Issue.record("failOpen deny allowed while Redis is down")
            return
        }
        #expect(refusal.code.rawValue == -32029)
        #expect(refusal.message.contains("failOpen is deny"))
    }

    @Test("the gate covers what the entries count: not initialize or ping by default, only the named methods otherwise")
    func coverage() throws {
        let all = try gate(ScriptedRedis())
        #expect(all.applies(to: .toolsCall))
        #expect(all.applies(to: .resourcesRead))
        #expect(!all.applies(to: .initialize))
        #expect(!all.applies(to: .ping))
        let callsOnly = try gate(ScriptedRedis(), entries: [RateLimitEntry(per: .principal, rate: 1, burst: 2, methods: ["tools/*"])])
        #expect(callsOnly.applies(to: .toolsCall))
        #expect(!callsOnly.applies(to: .resourcesRead))
    }

    @Test("install: with cluster.redis and rateLimits the gate replaces the pipeline stage and comes before the policy hook")
    func install() async throws {
        func config(_ cluster: String, hook: Bool = false) throws -> ProxyConfig {
            try ConfigLoader.load(text: """
            servers:
              alpha:
                command: /bin/true
            proxy:
              rateLimits:
                - per: principal
                  rate: 1
                  burst: 20
            \(hook ? "  policyHook:\n    url: http://127.0.0.1:9/hook\n" : "")\(cluster)
            """, sourceName: "test", environment: [:])
        }
        let key = Data((0..<32).map { UInt8($0) }).base64EncodedString()
        let clustered = "  cluster:\n    sessionKeys: [\"\(key)\"]\n    redis:\n      url: redis://127.0.0.1:9/0\n"
        let stats = StatsRegistry()
        let link = ClusterRedisLink(stats: stats)
        #expect(!link.isReachable, "nothing attached: Redis counts as down")

        func installed(_ config: ProxyConfig, network: Bool = true, link: ClusterRedisLink?) async throws -> (SecurityComponents, ProxyOptions) {
            var security = try await SecurityComponents.build(from: config, network: network, stats: stats)
            var options = ProxyOptions()
            try GovernanceAssembly.apply(config, to: &options, stats: stats, logger: .init(label: "test"))
            SharedRateLimitGate.install(config, redis: link, network: network, security: &security, options: &options, stats: stats)
            return (security, options)
        }

        let (shared, sharedOptions) = try await installed(try config(clustered), link: link)
        #expect(shared.rateLimiter == nil, "the in-memory stage is gone")
        #expect(sharedOptions.callGate is SharedRateLimitGate)

        let (withHook, hookOptions) = try await installed(try config(clustered, hook: true), link: link)
        #expect(withHook.rateLimiter == nil)
        let chain = try #require(hookOptions.callGate as? CallGateChain)
        #expect(chain.gates.count == 2)
        #expect(chain.gates.first is SharedRateLimitGate, "the rate limit is asked before the policy hook")

        let (plain, plainOptions) = try await installed(try config(""), link: nil)
        #expect(plain.rateLimiter != nil, "without proxy.cluster the pipeline stage stays")
        #expect(plainOptions.callGate == nil, "and no gate is added")

        let (stdio, _) = try await installed(try config(clustered), network: false, link: link)
        #expect(stdio.rateLimiter != nil, "the stdio front keeps local limits")
    }
}
