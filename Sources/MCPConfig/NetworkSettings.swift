/// Where and how the network fronts listen (`proxy.listen`).
public struct ListenSettings: Sendable, Equatable {
    /// Interface to bind; 127.0.0.1 unless configured otherwise.
    public var host: String = "127.0.0.1"
    /// TCP port.
    public var port: Int = 8080
    /// The aggregated Streamable HTTP endpoint.
    public var path: String = "/mcp"
    /// The legacy HTTP+SSE endpoint (2024-11-05) and its message endpoint.
    public var ssePath: String = "/sse"
    public var messagesPath: String = "/messages"
    /// The WebSocket endpoint.
    public var webSocketPath: String = "/ws"
    /// Also expose each upstream alone under `/servers/<name>/mcp` (and `/sse`, `/ws`).
    public var namedServers: Bool = false
    /// Extra allowed `Origin` values (localhost origins are always allowed).
    public var allowedOrigins: [String] = []
    /// Largest request body accepted (413 beyond).
    public var maxBodyBytes: Int = 4 << 20
    /// Idle time after which a session expires.
    public var sessionIdleTimeoutSeconds: Double = 600
    /// How long a graceful shutdown waits for requests in flight.
    public var drainSeconds: Double = 10
    /// TLS for the fronts; nil serves plain HTTP.
    public var tls: TLSFileSettings?
    /// The most connections open at once on the network fronts; past it new connections are
    /// closed at once. Default 4096.
    public var maxConnections: Int = 4096
    /// The most connections open at once from one remote address. Default 256.
    public var maxConnectionsPerAddress: Int = 256
    /// How long a client may take to send a request's headers before the connection is closed. Default 10.
    public var headerTimeoutSeconds: Double = 10
    /// How long an idle keep-alive connection (no request in progress, no open stream) stays open. Default 60.
    public var idleTimeoutSeconds: Double = 60
    /// `trustedProxies`: the load balancers (addresses or CIDR networks, as written) whose
    /// `X-Forwarded-For` or `Forwarded` header names the client for per-address limits and logs.
    /// Empty (the default): the connection's peer is the client and those headers are ignored.
    public var trustedProxies: [String] = []

    /// Defaults: 127.0.0.1:8080, /mcp, /sse, /messages, /ws.
    public init() {}
}

/// PEM files for TLS (`certificate` + `privateKey`, and `clientCA` to require client certificates).
public struct TLSFileSettings: Sendable, Equatable {
    public var certificate: String?
    public var privateKey: String?
    /// Server side: CA that client certificates must chain to (mTLS). Upstream side: CA to trust.
    public var ca: String?

    /// Creates settings from file paths.
    public init(certificate: String? = nil, privateKey: String? = nil, ca: String? = nil) {
        self.certificate = certificate
        self.privateKey = privateKey
        self.ca = ca
    }
}

/// The admin listener (`proxy.admin`): /healthz, /readyz, /metrics, /stats, the status page,
/// and the admin API under /api/.
public struct AdminSettings: Sendable, Equatable {
    public var host: String = "127.0.0.1"
    public var port: Int = 9090
    /// `proxy.admin.token`: the bearer token the admin API (`/api/...`) requires
    /// (`Authorization: Bearer TOKEN`); without one the API answers 403 and only the read-only
    /// pages are served. At least 16 characters; use `${VAR}` to keep it out of the file.
    public var token: String?

    /// Defaults: 127.0.0.1:9090.
    public init() {}
}
