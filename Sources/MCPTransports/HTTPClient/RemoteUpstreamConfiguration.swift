/// How to reach an upstream MCP server over the network.
public struct RemoteUpstreamConfiguration: Sendable {
    /// The wire protocol.
    public enum Kind: String, Sendable, Equatable, CaseIterable {
        /// Streamable HTTP (2025-03-26 and later): one endpoint, a POST per message, SSE streams.
        case streamableHTTP
        /// The legacy HTTP+SSE transport (2024-11-05): a GET event stream plus a POST endpoint.
        case legacySSE
        /// JSON-RPC messages as WebSocket text frames (subprotocol `mcp`).
        case webSocket
        /// Streamable HTTP, falling back to legacy HTTP+SSE when the server answers the first
        /// `initialize` POST with 400, 404 or 405 (the specification's backwards-compatibility rule).
        case automatic
    }

    /// The endpoint: `http(s)://…` for the HTTP kinds, `ws(s)://…` for WebSocket.
    public var url: String
    /// The wire protocol.
    public var kind: Kind
    /// Headers sent on every request (already `${ENV}`-expanded), for example an API key.
    /// Protocol headers (`Accept`, `Content-Type`, `Mcp-Session-Id`, `MCP-Protocol-Version`,
    /// `Last-Event-ID`) are set by the transport and win over these.
    public var headers: [String: String]
    /// TLS options for `https` and `wss`; nil uses the system trust store.
    public var tls: TLSClientSettings?
    /// How long one request may wait for its response (including resuming a broken stream).
    public var requestTimeout: Duration
    /// How long to wait for a TCP (and TLS) connection.
    public var connectTimeout: Duration
    /// Largest message accepted from the server; larger ones are reported as `.oversized`.
    public var maxMessageBytes: Int
    /// Headers computed per request (per-user credentials: principal templates, an exchanged
    /// token); they win over ``headers``. Only the Streamable HTTP transport sends them; nil (the
    /// default) costs nothing.
    public var credentials: (any UpstreamCredentials)?
    /// The `x-mcp-header` tags a 2026-07-28 upstream's tools carry, learnt from whichever
    /// connection listed them and used by every connection made with this configuration (a
    /// pool's sessions share it, as copies of one configuration).
    let toolHeaderTags = ToolHeaderTags()

    /// Creates a configuration; the timeouts default to 300 s per request and 10 s to connect.
    public init(
        url: String,
        kind: Kind,
        headers: [String: String] = [:],
        tls: TLSClientSettings? = nil,
        requestTimeout: Duration = .seconds(300),
        connectTimeout: Duration = .seconds(10),
        maxMessageBytes: Int = 16 << 20,
        credentials: (any UpstreamCredentials)? = nil
    ) {
        self.url = url
        self.kind = kind
        self.headers = headers
        self.tls = tls
        self.requestTimeout = requestTimeout
        self.connectTimeout = connectTimeout
        self.maxMessageBytes = maxMessageBytes
        self.credentials = credentials
    }
}
