import JSONRPC
import MCPStats

/// Where routing sent a client request, before the pipeline decides whether it goes there.
enum RouteTarget: Sendable {
    /// The proxy answers itself.
    case local(LocalAnswer)
    /// An upstream serves it.
    case upstream(UpstreamTarget)
}

/// Requests the proxy answers without an upstream.
enum LocalAnswer: Sendable {
    case initialize
    case ping
    case list(ListKind)
    case setLevel
}

/// A routed request's upstream, and the edits that turn the exposed names into the upstream's.
struct UpstreamTarget: Sendable {
    /// Index of the upstream in the session's list.
    let index: Int
    /// The upstream's configured name.
    let name: String
    /// Name or URI rewrites (the id and progress token are added when forwarding).
    let edits: [ByteSplice]
    /// Where the request's latency and outcome are counted.
    let series: RequestSeries
    /// Whether URIs in the result are rewritten into the proxy's namespace.
    let rewritesURIs: Bool
    /// A `resources/subscribe` (true) or `unsubscribe` (false) of this exposed URI, counted
    /// only once the pipeline lets the request through.
    let subscription: (uri: String, subscribe: Bool)?
}
