import MCPRedis
import MCPStats
import Synchronization

/// The gateway's way to `proxy.cluster.redis` for parts built before the connection pool
/// exists: a configuration generation (with its shared rate limits) is built before the HTTP
/// front starts, and the pool is opened by ``ClusterAssembly`` when the front starts. The link
/// forwards commands to the pool once it is attached; until then (and after the pool closes)
/// Redis counts as unreachable, so the shared limits fall back as configured.
///
/// It also keeps the gauge `mcp_proxy_redis_up` (1 while a connection is open, 0 otherwise).
final class ClusterRedisLink: RedisCommandExecutor, Sendable {
    private let pool = Mutex<RedisConnectionPool?>(nil)
    private let up: Gauge

    init(stats: StatsRegistry) {
        up = stats.gauge("mcp_proxy_redis_up", help: "Whether this replica reaches proxy.cluster.redis (1) or not (0)")
    }

    /// Starts forwarding to `pool`, and follows its health in the gauge until it closes.
    func attach(_ pool: RedisConnectionPool) {
        self.pool.withLock { $0 = pool }
        let gauge = up
        let updates = pool.healthUpdates()
        Task {
            for await health in updates {
                gauge.set(health.isUp ? 1 : 0)
            }
            gauge.set(0)
        }
    }

    /// Whether Redis is reachable now (a connection of the attached pool is open).
    var isReachable: Bool {
        pool.withLock { $0 }?.health.isUp ?? false
    }

    private func attached() throws(RedisError) -> RedisConnectionPool {
        guard let pool = pool.withLock({ $0 }) else {
            throw .connectionFailed("proxy.cluster.redis is not connected yet (the pool opens when the HTTP front starts)")
        }
        return pool
    }

    func send(_ command: RedisCommand) async throws(RedisError) -> RESPValue {
        try await attached().send(command)
    }

    func pipeline(_ commands: [RedisCommand]) async throws(RedisError) -> [RESPValue] {
        try await attached().pipeline(commands)
    }
}
