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
    /// same number of bytes.
    public var maxQueuedBytesPerStream: Int = 8 << 20
    /// The `MCP-Protocol-Version` header values accepted; a request carrying another value gets 400.
    public var supportedProtocolVersions: [String] = HTTPFrontConfiguration.handshakeProtocolVersions
    /// The paths served. Requests to other paths get 404.
    public var endpoints: [HTTPEndpoint]

    /// The protocol revisions that use the `initialize` handshake: 2024-11-05 to 2025-11-25.
    public static let handshakeProtocolVersions = ["2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"]

    /// Creates a configuration for `endpoints`; every limit has a default.
    public init(
        endpoints: [HTTPEndpoint],
        host: String = "127.0.0.1",
        port: Int = 8080,
        tls: TLSServerSettings? = nil,
        allowedOrigins: [String] = []
    ) {
        self.endpoints = endpoints
        self.host = host
        self.port = port
        self.tls = tls
        self.allowedOrigins = allowedOrigins
    }
}
