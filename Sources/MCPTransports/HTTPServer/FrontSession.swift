/// A session of the HTTP front, whatever the transport: what the registry and shutdown need.
protocol FrontSession: MessageTransport {
    /// The id clients name the session by (`Mcp-Session-Id`, `sessionId=`), or a connection id.
    var id: String { get }
    /// Ends the session; the proxy hears `reason` once. Later calls do nothing.
    func terminate(_ reason: TransportCloseReason)
    /// The principal the session is bound to.
    var binding: PrincipalBinding { get }
}
