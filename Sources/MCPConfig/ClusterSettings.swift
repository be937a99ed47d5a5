/// `proxy.cluster`: what several replicas of one gateway share (Documentation/Scaling.md).
public struct ClusterSettings: Sendable, Equatable {
    /// What rate limits do while Redis is unreachable.
    public enum RedisFailOpen: String, Sendable, Equatable, CaseIterable {
        /// Each replica falls back to local buckets with the same settings (the effective limit
        /// is then up to N times the configured one for N replicas).
        case local
        /// Requests that a rate limit covers are refused until Redis is back.
        case deny
    }

    /// Base64 32-byte keys; the first seals session ids, all open them.
    public var sessionKeys: [String]
    /// `redis.url`: `redis://` or `rediss://`, with optional `user:password@` and `/db`; nil
    /// when the replicas share no Redis (sessions still move; limits stay per replica).
    public var redisURL: String?
    /// `redis.failOpen`.
    public var redisFailOpen: RedisFailOpen
    /// This replica's name in logs, metrics and cross-replica messages; nil takes the host name
    /// and process id.
    public var replicaID: String?

    /// Creates settings.
    public init(sessionKeys: [String], redisURL: String? = nil, redisFailOpen: RedisFailOpen = .local, replicaID: String? = nil) {
        self.sessionKeys = sessionKeys
        self.redisURL = redisURL
        self.redisFailOpen = redisFailOpen
        self.replicaID = replicaID
    }
}
