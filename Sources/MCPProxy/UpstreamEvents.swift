import JSONRPC
import MCPStats

/// What an upstream connection tells the service that owns it: the traffic that belongs to no
/// forwarded request. (Responses, progress and failures of a forwarded request go straight to
/// the client session that owns the request: ``ForwardedRequest/owner``.)
///
/// Called on the upstream transport's thread; implementations must not block.
protocol UpstreamEvents: AnyObject, Sendable {
    /// A request from the upstream to a client (sampling, elicitation, roots, ping).
    func upstream(_ upstream: UpstreamConnection, request message: JSONRPCMessage)
    /// Any notification from the upstream other than progress for a forwarded request.
    func upstream(_ upstream: UpstreamConnection, notification message: JSONRPCMessage)
    /// The connection stopped; it serves nothing more.
    func upstreamStopped(_ upstream: UpstreamConnection, error: UpstreamError)
}

/// A client request relayed to an upstream, remembered until its response comes back.
struct ForwardedRequest: Sendable {
    /// The client session it came from: its response, progress and failure go there only.
    let owner: ProxySession
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
    /// Monotonic nanoseconds when it was received (first forwarded), and when it expires.
    let startedAt: UInt64
    let deadline: UInt64
    /// Whether URIs in the result must be rewritten into the proxy namespace.
    let rewritesURIs: Bool
    /// The upstream session it was sent on, and what it holds of the upstream's capacity.
    let lease: UpstreamLease
    /// What is needed to send it again (only for requests that are safe to repeat).
    let replay: RequestReplay?
}

/// A request that is safe to repeat, kept so that a retry can send it again.
struct RequestReplay: Sendable {
    /// The client's message as received.
    let message: JSONRPCMessage
    /// Its route and the edits made before the id and token are replaced.
    let target: UpstreamRoute
    let edits: [ByteSplice]
    /// How many times it was sent so far.
    let attempt: Int
}
