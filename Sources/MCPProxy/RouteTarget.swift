import JSONRPC
import MCPStats

/// Where routing sent a client request, before the pipeline decides whether it goes there.
enum RouteTarget: Sendable {
    /// The proxy answers itself.
    case local(LocalAnswer)
    /// An upstream serves it.
    case upstream(UpstreamRoute)
}

/// Requests the proxy answers without an upstream.
enum LocalAnswer: Sendable {
    case initialize
    case ping
    case list(ListKind)
    case setLevel
}

/// The upstream routing chose: what stages and `finished` need to know about it. The edits that
/// turn the exposed name into the upstream's belong to one message and travel beside the chain
/// (``UpstreamEdits``), so the context stays small to copy and nothing is allocated for it.
struct UpstreamRoute: Sendable {
    /// Index of the upstream in the session's list.
    let index: Int
    /// The upstream's configured name.
    let name: String
    /// Where the request's latency and outcome are counted.
    let series: RequestSeries
    /// Whether URIs in the result are rewritten into the proxy's namespace.
    let rewritesURIs: Bool
    /// tools/call: the tool's name at the upstream (for per-tool timeouts).
    var tool: String? = nil
    /// Whether the request is safe to send twice (retries after a transport failure).
    var repeatable = false
}

/// What the terminal changes in a routed message, and the subscription it counts.
struct UpstreamEdits: Sendable {
    /// Name or URI rewrites (the id and progress token are added when forwarding).
    var edits: [ByteSplice] = []
    /// A `resources/subscribe` (true) or `unsubscribe` (false) of this exposed URI, counted
    /// only once the pipeline lets the request through.
    var subscription: (uri: String, subscribe: Bool)?

    /// No edits.
    static let none = UpstreamEdits()
}
