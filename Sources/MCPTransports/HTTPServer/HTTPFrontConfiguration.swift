/// Everything the HTTP front needs to know: where to listen, which endpoints it serves, and the
/// limits that keep a misbehaving client from costing unbounded memory.
public struct HTTPFrontConfiguration: Sendable {
    /// The address to bind. Keep `127.0.0.1` for a local proxy (DNS-rebinding protection).
    public var host: String = "127.0.0.1"
    /// The port to bind; 0 picks a free one (`HTTPFrontServer.start` returns it).
    public var port: Int = 8080
    /// Serve HTTPS (and WSS) with these files; nil serves plain HTTP.
    public var tls: TLSServerSettings?
    /// Origins allowed besides the local ones, compared exactly (e.g. `https://app.example.com`).
    /// Origins on localhost, 127.0.0.1 and [::1] (any port, http or https) are always allowed, and
    /// a request without an `Origin` header is allowed. Any other origin is answered with 403.
    public var allowedOrigins: [String] = []
    /// The largest request body or WebSocket message accepted, in bytes (413 or close code 1009 beyond).
    public var maxBodyBytes: Int = 4 << 20
    /// A Streamable HTTP session with no open stream and no request for this long is ended.
    public var sessionIdleTimeout: Duration = .seconds(600)
    /// How many recent events each Streamable HTTP session keeps for `Last-Event-ID` resumption
    /// and for delivery to a GET stream that is not open yet.
    public var replayBufferEvents: Int = 256
    /// How often an idle event stream gets a `: keep-alive` comment.
    public var keepAliveInterval: Duration = .seconds(15)
    /// The most bytes queued for one client connection that the client has not taken yet. A
    /// client that falls further behind is cut off (its stream or WebSocket is closed and the event
    /// logged). Bytes count from the moment the proxy sends them, so keep this above the largest
    /// burst the proxy sends at once; a single message larger than the limit still goes out when
    /// nothing else is queued. The replay buffer of a Streamable HTTP session is bounded by the
    /// same number of bytes; all sessions together by ``maxReplayBytesTotal``.
    public var maxQueuedBytesPerStream: Int = 8 << 20
    /// The most bytes of replayable events (kept for `Last-Event-ID` resumption, and messages
    /// waiting for a GET stream) that all Streamable HTTP sessions of the front keep together.
    /// Past it, the oldest events of the largest sessions are dropped first. A client resuming
    /// after events that were dropped gets the events still kept after its `Last-Event-ID`, as
    /// when its own session's buffer overflows (the spec lets a server replay what it still has).
    public var maxReplayBytesTotal: Int = 256 << 20
    /// The `MCP-Protocol-Version` header values accepted; a request carrying another value gets 400.
    public var supportedProtocolVersions: [String] = HTTPFrontConfiguration.handshakeProtocolVersions
    /// The paths served. Requests to other paths get 404.
    public var endpoints: [HTTPEndpoint]

    // MARK: Who may call

    /// Asked for every request to an MCP endpoint (all transports, every endpoint), before any
    /// session is looked up or created; nil admits everyone as ``Principal/anonymous``.
    public var admission: (any RequestAdmission)?
    /// Fixed documents served on GET at exact paths without admission and from any
    /// origin, e.g. `/.well-known/oauth-protected-resource` and
    /// `/.well-known/oauth-protected-resource/mcp`. An endpoint path takes precedence.
    public var staticDocuments: [String: HTTPStaticDocument] = [:]

    // MARK: Connection and session limits

    /// The most open client connections; a connection past it is closed as soon as it is accepted
    /// (and counted in ``HTTPFrontServer/connectionStatistics``). The front also lowers the limit it
    /// applies so that open connections leave room in the process's open-files limit
    /// (`RLIMIT_NOFILE`) for the admin listener, upstreams and logs.
    public var maxConnections: Int = 4096
    /// The most open connections from one remote IP address; past it, connections are closed at accept.
    /// Connections from ``trustedProxies`` are not counted per address (a balancer carries many
    /// clients); ``maxConnections`` still bounds them.
    public var maxConnectionsPerAddress: Int = 256
    /// The load balancers whose `X-Forwarded-For` or `Forwarded` header names the client: its
    /// address then keys the admission's per-address limits (``AdmissionRequest/remoteAddress``)
    /// and the logs. From any other peer the headers are ignored. Empty (the default): the
    /// connection's peer is the client, and no header is read.
    public var trustedProxies: TrustedProxies = .none
    /// How long a client may take to send a request's complete head (request line and headers),
    /// counted from the connection's start (TLS handshake included) or from the first byte of a
    /// later request; a slower client is disconnected. Zero turns the limit off.
    public var headerTimeout: Duration = .seconds(10)
    /// How long a keep-alive connection may wait for its next request after a response ended. Not
    /// applied while a request is in flight or a response (an event stream, a WebSocket) is open.
    /// Zero turns the limit off.
    public var idleTimeout: Duration = .seconds(60)
    /// The most sessions open at once, over all endpoints and transports. A request that would open
    /// one more is answered 503 (a WebSocket upgrade too) with `Retry-After`; open sessions are unaffected.
    public var maxSessions: Int = 10_000
    /// The most sessions one principal (``Principal/identityKey``) may have open at once. A request
    /// that would open one more is answered 429 with `Retry-After`. Not applied to
    /// ``Principal/anonymous`` (fronts without authentication), which only ``maxSessions`` bounds.
    public var maxSessionsPerPrincipal: Int = 100

    /// Seals session state into `Mcp-Session-Id` so that any replica serves any session; nil
    /// (the default) issues random ids known only to this process.
    public var sessionContinuity: (any SessionContinuity)?

    /// Carries server-to-client traffic between replicas (GET streams resumable on any replica,
    /// answers routed back to the replica that asked); nil (the default) keeps it in this process.
    public var sessionRelay: (any SessionRelay)?

    /// The `x-mcp-header` annotations of the tools each endpoint lists, for the `Mcp-Param-*`
    /// check of 2026-07-28 `tools/call` POSTs (400 / -32020 on a mismatch); nil (the default)
    /// checks no `Mcp-Param-*` header. See ``ToolHeaderAnnotationLookup``.
    public var toolHeaderAnnotations: ToolHeaderAnnotationLookup?

    /// The protocol revisions that use the `initialize` handshake: 2024-11-05 to 2025-11-25.
    public static let handshakeProtocolVersions = ["2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"]

    /// True for a protocol version later than the handshake era's last (versions are dates,
    /// `YYYY-MM-DD`, so they order as text): a 2026-07-28-era request, which carries its own
    /// envelope and is checked by the endpoint (-32022 when the proxy does not speak it).
    public static func isPastHandshakeEra(_ version: String) -> Bool {
        version.utf8.count == 10 && version > "2025-11-25"
    }

    /// Creates a configuration for `endpoints`; every limit has a default.
    public init(
        endpoints: [HTTPEndpoint],
        host: String = "127.0.0.1",
        port: Int = 8080,
        tls: TLSServerSettings? = nil,
        allowedOrigins: [String] = [],
        admission: (any RequestAdmission)? = nil
    ) {
        self.endpoints = endpoints
        self.host = host
        self.port = port
        self.tls = tls
        self.allowedOrigins = allowedOrigins
        self.admission = admission
    }
}
