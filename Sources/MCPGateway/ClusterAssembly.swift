#if canImport(Glibc)
import Glibc
#endif
import Logging
import MCPCluster
import MCPConfig
import MCPRedis
import MCPTransports

/// `proxy.cluster` assembled: the session continuity the HTTP front uses, and the Redis
/// connections behind it, which live as long as the gateway's listener.
final class ClusterAssembly: Sendable {
    /// Sealed session ids that any replica with the keys serves.
    let continuity: SealedSessionContinuity
    /// The command connections to `redis.url`; nil without it.
    let pool: RedisConnectionPool?
    private let subscriber: RedisPubSubClient?
    private let revocations: RedisRevocationList?
    /// Server-to-client traffic across replicas (GET streams in Redis, answers routed back);
    /// nil without `redis.url`.
    let relay: RedisSessionRelay?
    private let watcher: Task<Void, Never>?

    /// How long a sealed id is accepted after its session opened.
    static let sessionLifetime: Duration = .seconds(86_400)

    /// Builds it; `terminate` ends this replica's copy of a session another replica revoked.
    ///
    /// - Parameters:
    ///   - tag: this replica's tag (the base of the ids of requests its proxy sends clients).
    ///   - replayEvents: about how many GET-stream events a session's shared log keeps.
    ///   - idleTimeout: how long a session's shared log outlives its last event.
    static func build(
        _ settings: ClusterSettings, tag: ReplicaTag, replayEvents: Int, idleTimeout: Duration, logger: Logger,
        terminate: @escaping @Sendable (String) -> Void,
        endRevoked: @escaping @Sendable (_ isRevoked: (String) -> Bool) -> Void = { _ in }
    ) async throws(GatewayError) -> ClusterAssembly {
        let sealer: SessionSealer
        do {
            sealer = try SessionSealer(base64Keys: settings.sessionKeys)
        } catch {
            throw GatewayError(.config, "\(error)")
        }
        guard let url = settings.redisURL else {
            logger.notice("cluster: sealed session ids without Redis; DELETE ends a session only on the replica that takes it")
            return ClusterAssembly(
                continuity: SealedSessionContinuity(sealer: sealer, revocations: LocalRevocationList(), lifetime: sessionLifetime),
                pool: nil, subscriber: nil, revocations: nil, relay: nil, watcher: nil)
        }
        var configuration: RedisConfiguration
        do {
            configuration = try RedisConfiguration(url: url)
        } catch {
            throw GatewayError(.config, "proxy.cluster.redis.url: \(error)")
        }
        configuration.clientName = "mcp-proxy-" + (settings.replicaID ?? Self.defaultReplicaID())
        let pool = RedisConnectionPool(configuration: configuration, logger: logger)
        var subscriberConfiguration = configuration
        subscriberConfiguration.poolSize = 1
        let subscriber = RedisPubSubClient(configuration: subscriberConfiguration, logger: logger)
        let revocations = RedisRevocationList(
            redis: pool, subscriber: subscriber, health: { pool.healthUpdates() }, onRevoked: terminate, onLoaded: endRevoked)
        await revocations.start()
        let relay = RedisSessionRelay(
            redis: pool, subscriber: subscriber, isReachable: { pool.health.isUp && subscriber.health.isUp }, tag: tag,
            maxEvents: replayEvents, ttl: idleTimeout
        ) { problem in logger.warning("cluster relay: \(problem)") }
        // Live messages published while the subscriber was away are only in the log: GET streams
        // fed from it end, and their clients resume with Last-Event-ID.
        let watcher = Task {
            var wasUp = false
            for await health in subscriber.healthUpdates() {
                if wasUp && !health.isUp { relay.endFeeds() }
                wasUp = health.isUp
            }
        }
        logger.info("cluster: sessions shared through Redis", metadata: ["replicaTag": "\(tag)"])
        return ClusterAssembly(
            continuity: SealedSessionContinuity(sealer: sealer, revocations: revocations, lifetime: sessionLifetime),
            pool: pool, subscriber: subscriber, revocations: revocations, relay: relay, watcher: watcher)
    }

    private init(
        continuity: SealedSessionContinuity, pool: RedisConnectionPool?, subscriber: RedisPubSubClient?, revocations: RedisRevocationList?,
        relay: RedisSessionRelay?, watcher: Task<Void, Never>?
    ) {
        self.continuity = continuity
        self.pool = pool
        self.subscriber = subscriber
        self.revocations = revocations
        self.relay = relay
        self.watcher = watcher
    }

    /// The host name and process id, as `proxy.cluster.replicaId` defaults to.
    static func defaultReplicaID() -> String {
        var name = [CChar](repeating: 0, count: 256)
        let host = gethostname(&name, name.count) == 0
            ? String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : "replica"
        return "\(host)-\(getpid())"
    }

    /// Closes the Redis connections.
    func shutdown() async {
        watcher?.cancel()
        relay?.close()
        revocations?.close()
        await subscriber?.close()
        await pool?.close()
    }
}
