/// What the HTTP front knows about a request to an MCP endpoint when it asks the injected
/// ``RequestAdmission`` who is calling: raw credentials only, nothing checked yet.
///
/// Built once per request, on the connection's event loop, before any session is looked up or
/// created. Only requests to MCP endpoints are admitted this way; admin pages and the configured
/// ``HTTPFrontConfiguration/staticDocuments`` are served without admission.
public struct AdmissionRequest: Sendable {
    /// Which kind of MCP request this is.
    public enum Endpoint: Sendable, Hashable {
        /// A request on a Streamable HTTP endpoint (POST, GET or DELETE; see ``AdmissionRequest/httpMethod``).
        case streamableHTTP
        /// A GET on a legacy HTTP+SSE endpoint that opens a session's event stream.
        case legacySSEStream
        /// A POST of one client message to a legacy HTTP+SSE session's messages path.
        case legacySSEMessages
        /// The upgrade request (or a refused upgrade) on a WebSocket endpoint.
        case webSocketUpgrade
    }

    /// The HTTP method, e.g. `POST`.
    public var httpMethod: String
    /// The request path without the query string, e.g. `/mcp`.
    public var path: String
    /// The kind of MCP request.
    public var endpoint: Endpoint
    /// The service named by the endpoint the request addresses.
    public var service: String
    /// The raw `Authorization` header, if any.
    public var authorization: String?
    /// The raw `X-API-Key` header, if any.
    public var apiKey: String?
    /// True when the query string carries an `access_token` parameter (tokens are accepted from
    /// the `Authorization` header only; a policy may refuse such requests outright).
    public var accessTokenInQuery: Bool
    /// The client's IP address as text (no port), when known: the connection's peer, or behind a
    /// balancer in ``HTTPFrontConfiguration/trustedProxies`` the client its forwarding header names.
    public var remoteAddress: String?
    /// The subject of the client certificate the TLS handshake verified (mutual TLS), as
    /// comma-separated `TYPE=value` pairs such as `CN=alice,O=Example`; nil without one.
    public var peerCertificateSubject: String?
    /// The session the request names (`Mcp-Session-Id`, or `sessionId=` on a legacy messages path).
    public var sessionID: String?

    /// Creates an admission request (the front builds these; tests and adapters may too).
    public init(
        httpMethod: String, path: String, endpoint: Endpoint, service: String, authorization: String? = nil,
        apiKey: String? = nil, accessTokenInQuery: Bool = false, remoteAddress: String? = nil,
        peerCertificateSubject: String? = nil, sessionID: String? = nil
    ) {
        self.httpMethod = httpMethod
        self.path = path
        self.endpoint = endpoint
        self.service = service
        self.authorization = authorization
        self.apiKey = apiKey
        self.accessTokenInQuery = accessTokenInQuery
        self.remoteAddress = remoteAddress
        self.peerCertificateSubject = peerCertificateSubject
        self.sessionID = sessionID
    }
}
