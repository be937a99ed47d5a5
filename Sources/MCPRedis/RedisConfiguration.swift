import NIOSSL

/// How the client connects to Redis and how long it waits. Every value but the URL has a default.
public struct RedisConfiguration: Sendable {
    /// The server, credentials, database and whether to use TLS.
    public var url: RedisURL
    /// How many command connections a ``RedisConnectionPool`` keeps (default 2). Each connection
    /// pipelines any number of concurrent commands, so a few are plenty.
    public var poolSize: Int
    /// How long a TCP (and TLS) connect and the `HELLO`/`SELECT` handshake may take (default 3 s).
    public var connectTimeout: Duration
    /// How long a command waits for its reply before it fails with ``RedisError/timeout(command:milliseconds:)``
    /// (default 2 s; `nil` waits as long as the connection lives). When the oldest outstanding
    /// command of a connection times out, the connection is taken as stale and closed.
    public var commandTimeout: Duration?
    /// The delays between reconnect attempts.
    public var backoff: RedisBackoff
    /// Bounds on replies (sizes, nesting).
    public var limits: RESPLimits
    /// The TLS settings for `rediss://` URLs (default: `TLSConfiguration.makeClientConfiguration()`,
    /// which verifies the server against the system's trust roots).
    public var tls: TLSConfiguration?
    /// The name the connections give themselves (`CLIENT LIST` shows it), if any.
    public var clientName: String?

    /// Makes a configuration.
    public init(
        url: RedisURL,
        poolSize: Int = 2,
        connectTimeout: Duration = .seconds(3),
        commandTimeout: Duration? = .seconds(2),
        backoff: RedisBackoff = RedisBackoff(),
        limits: RESPLimits = .default,
        tls: TLSConfiguration? = nil,
        clientName: String? = nil
    ) {
        self.url = url
        self.poolSize = max(1, poolSize)
        self.connectTimeout = connectTimeout
        self.commandTimeout = commandTimeout
        self.backoff = backoff
        self.limits = limits
        self.tls = tls
        self.clientName = clientName
    }

    /// Makes a configuration from a URL's text; throws ``RedisError/invalidURL(_:)``.
    public init(url: String) throws(RedisError) {
        self.init(url: try RedisURL(parsing: url))
    }
}

/// Exponential backoff with jitter between reconnect attempts: attempt n waits a random time
/// between half and all of `min(initial × 2ⁿ, maximum)`. The cap is low (2 s) so that a Redis
/// that comes back is used again within a few seconds.
public struct RedisBackoff: Sendable, Hashable {
    /// The delay before the first retry (default 50 ms).
    public var initial: Duration
    /// The longest delay (default 2 s).
    public var maximum: Duration

    /// Makes a backoff.
    public init(initial: Duration = .milliseconds(50), maximum: Duration = .seconds(2)) {
        self.initial = initial
        self.maximum = max(initial, maximum)
    }

    /// The delay before retry number `attempt` (0 for the first retry).
    public func delay(attempt: Int) -> Duration {
        let factor = 1 << min(max(attempt, 0), 20)
        let ceiling = min(self.initial * factor, self.maximum)
        let fraction = Double.random(in: 0.5...1.0)
        return ceiling * fraction
    }
}
