import MCPReliability
import MCPRouting

/// How the proxy pools an upstream's sessions and protects clients from its failures.
///
/// The defaults are what a production gateway wants: one upstream session shared by every
/// client session, a health ping every 30 s on that session, a circuit breaker, one retry of
/// requests that are safe to repeat, and recovery after a crash.
public struct UpstreamPolicy: Sendable {
    /// Whether client sessions share upstream sessions.
    public enum Mode: String, Sendable, Equatable {
        /// Many client sessions share a few upstream sessions (a pool per upstream, per proxy).
        case shared
        /// Each client session gets upstream sessions of its own (for servers that keep
        /// per-client state: a login, a working directory a tool changes).
        case perSession
    }

    /// What a shared upstream session may ask clients (sampling, elicitation, roots).
    public enum ServerRequests: String, Sendable, Equatable {
        /// A tool call of a client that declared sampling, elicitation or roots leases an
        /// upstream session exclusively for its duration, so the upstream's requests reach that
        /// client and no other.
        case lease
        /// The shared handshake declares none of them; every call multiplexes.
        case refuse
    }

    /// A per-request timeout for the tools whose (original) names match `pattern`.
    public struct ToolTimeout: Sendable {
        /// Which tools (globs on the upstream's own tool names).
        public var pattern: GlobPattern
        /// Their timeout.
        public var timeout: Duration

        /// Creates an override.
        public init(pattern: GlobPattern, timeout: Duration) {
            self.pattern = pattern
            self.timeout = timeout
        }
    }

    /// Health pings on the pool's existing sessions (never a new session for the check).
    public struct HealthCheck: Sendable, Equatable {
        /// Between two pings of one session.
        public var interval: Duration
        /// How long a ping may take before the session is treated as hung and restarted.
        public var timeout: Duration

        /// Creates a health check. Defaults: every 30 s, 5 s to answer.
        public init(interval: Duration = .seconds(30), timeout: Duration = .seconds(5)) {
            self.interval = interval
            self.timeout = timeout
        }
    }

    /// Shared or per client session.
    public var mode: Mode
    /// Upstream sessions opened and kept (shared mode).
    public var size: Int
    /// Most upstream sessions (exclusive leases may open more than `size`); nil: `size`.
    public var max: Int?
    /// Sessions beyond `size` (shared), or a client session's own sessions (per-session), that
    /// carried no request this long are closed; nil: never.
    public var idleTimeout: Duration?
    /// Server-to-client requests on shared sessions.
    public var serverRequests: ServerRequests
    /// Per-session mode: most children of this upstream across all client sessions; 0: no cap.
    public var maxChildren: Int
    /// Health pings; nil: none.
    public var health: HealthCheck?
    /// The circuit breaker; nil: none.
    public var breaker: CircuitBreakerPolicy?
    /// Retries of requests that are safe to repeat.
    public var retry: RetryPolicy
    /// Per-request timeout; nil: the proxy's `requestTimeout`.
    public var timeout: Duration?
    /// Per-tool timeouts, first match wins (over `timeout`).
    public var toolTimeouts: [ToolTimeout]
    /// Most requests in flight at this upstream; nil: no limit.
    public var maxConcurrent: Int?
    /// Requests that may wait behind `maxConcurrent` (within their own deadline).
    public var maxQueued: Int
    /// Restart a stdio child whose resident memory exceeds this many bytes; 0: no cap.
    public var maxRSSBytes: UInt64

    /// Creates a policy; every parameter has the production default.
    public init(
        mode: Mode = .shared,
        size: Int = 1,
        max: Int? = nil,
        idleTimeout: Duration? = .seconds(300),
        serverRequests: ServerRequests = .lease,
        maxChildren: Int = 0,
        health: HealthCheck? = HealthCheck(),
        breaker: CircuitBreakerPolicy? = CircuitBreakerPolicy(),
        retry: RetryPolicy = RetryPolicy(),
        timeout: Duration? = nil,
        toolTimeouts: [ToolTimeout] = [],
        maxConcurrent: Int? = nil,
        maxQueued: Int = 256,
        maxRSSBytes: UInt64 = 0
    ) {
        self.mode = mode
        self.size = size
        self.max = max
        self.idleTimeout = idleTimeout
        self.serverRequests = serverRequests
        self.maxChildren = maxChildren
        self.health = health
        self.breaker = breaker
        self.retry = retry
        self.timeout = timeout
        self.toolTimeouts = toolTimeouts
        self.maxConcurrent = maxConcurrent
        self.maxQueued = maxQueued
        self.maxRSSBytes = maxRSSBytes
    }

    /// Today's behaviour before pooling: one upstream session per client session, no breaker,
    /// no retries, no pings. For tests and for embedders that want the old semantics.
    public static let isolated = UpstreamPolicy(mode: .perSession, health: nil, breaker: nil, retry: .none)

    /// The timeout for a request to this upstream (`tool`: the upstream's own tool name).
    func timeout(tool: String?, default fallback: Duration) -> Duration {
        if let tool {
            for entry in toolTimeouts where entry.pattern.matches(tool) { return entry.timeout }
        }
        return timeout ?? fallback
    }
}
