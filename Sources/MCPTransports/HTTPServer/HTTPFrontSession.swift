/// One MCP session a client opened on the HTTP front, handed to the proxy to serve.
public struct HTTPFrontSession: Sendable {
    /// The session's transport: the proxy calls `start(sink:)` on it, then sends and closes.
    public let transport: any MessageTransport
    /// The service named by the endpoint the session was opened on.
    public let service: String
    /// The client's address as `ip:port`, when known.
    public let remoteAddress: String?
    /// The transport the client speaks.
    public let kind: HTTPEndpoint.Kind
    /// Set when the session was opened on another replica and this one serves it from the state
    /// in its id (``SessionContinuity``): the client will send no `initialize`.
    public let restored: RestoredSession?

    /// Pairs a transport with where it came from.
    public init(transport: any MessageTransport, service: String, remoteAddress: String?, kind: HTTPEndpoint.Kind, restored: RestoredSession? = nil) {
        self.transport = transport
        self.restored = restored
        self.service = service
        self.remoteAddress = remoteAddress
        self.kind = kind
    }
}
