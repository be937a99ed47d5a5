/// One path the HTTP front serves, the transport spoken there, and the proxy service behind it.
public struct HTTPEndpoint: Sendable, Hashable {
    /// What a client speaks on an endpoint.
    public enum Kind: Sendable, Hashable {
        /// MCP Streamable HTTP (2025-03-26 to 2025-11-25): POST, GET and DELETE on one path.
        case streamableHTTP
        /// MCP HTTP+SSE (2024-11-05): GET on the endpoint path opens the event stream; the client
        /// POSTs its messages to `messagesPath?sessionId=<id>`.
        case legacySSE(messagesPath: String)
        /// One JSON-RPC message per WebSocket text frame (subprotocol `mcp`).
        case webSocket
    }

    /// The request path, e.g. `/mcp`; matched exactly, without the query string.
    public var path: String
    /// The transport spoken on `path`.
    public var kind: Kind
    /// The name of the proxy service that sessions of this endpoint are handed to.
    public var service: String

    /// Creates an endpoint.
    public init(path: String, kind: Kind, service: String) {
        self.path = path
        self.kind = kind
        self.service = service
    }
}
