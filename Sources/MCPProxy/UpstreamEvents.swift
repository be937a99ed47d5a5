import JSONRPC
import MCPStats

/// What an upstream connection tells the session that owns it.
///
/// Called on the upstream transport's thread; implementations must not block.
protocol UpstreamEvents: AnyObject, Sendable {
    /// A response to a request the session forwarded.
    func upstream(_ upstream: UpstreamConnection, answered request: ForwardedRequest, with message: JSONRPCMessage)
    /// A progress notification for a forwarded request that carried a progress token.
    func upstream(_ upstream: UpstreamConnection, progress message: JSONRPCMessage, for request: ForwardedRequest)
    /// A request from the upstream to the client (sampling, elicitation, roots, ping).
    func upstream(_ upstream: UpstreamConnection, request message: JSONRPCMessage)
    /// Any other notification from the upstream.
    func upstream(_ upstream: UpstreamConnection, notification message: JSONRPCMessage)
    /// Forwarded requests that will never be answered (the upstream died, or they timed out).
    func upstream(_ upstream: UpstreamConnection, abandoned requests: [ForwardedRequest], error: UpstreamError)
    /// The upstream stopped; it serves nothing until restarted.
    func upstreamStopped(_ upstream: UpstreamConnection, error: UpstreamError)
}

/// A client request relayed to an upstream, remembered until its response comes back.
struct ForwardedRequest: Sendable {
    /// The client's id, as its exact JSON bytes, and as a key.
    let clientIDBytes: [UInt8]
    let clientID: JSONRPCID
    /// The client's own progress token bytes, if it asked for progress.
    let clientProgressToken: [UInt8]?
    /// Where the response goes (directly, or into a batch).
    let reply: ReplyRoute
    /// The request's method.
    let method: MCPMethod
    /// What the pipeline knew of the request; its stages learn the outcome with it.
    let context: ProxyRequestContext
    /// Monotonic nanoseconds when it was forwarded, and when it expires.
    let startedAt: UInt64
    let deadline: UInt64
    /// Whether URIs in the result must be rewritten into the proxy namespace.
    let rewritesURIs: Bool
}
