/// Outcome of a proxied request, as recorded in a ``RequestSeries``.
public enum RequestOutcome: Sendable, Equatable, Hashable {
    /// The upstream answered with a result.
    case success
    /// The upstream (or the proxy on its behalf) answered with a JSON-RPC error of this code.
    case error(code: Int)
    /// No answer arrived before the request's deadline.
    case timeout
    /// The client cancelled the request before an answer arrived.
    case cancelled
    /// The upstream could not be reached (not running, breaker open, pool exhausted).
    case upstreamUnavailable

    /// The value of the `outcome` label in Prometheus text: `success`, `error`, `timeout`,
    /// `cancelled` or `upstream_unavailable`.
    public var labelValue: String {
        switch self {
        case .success: "success"
        case .error: "error"
        case .timeout: "timeout"
        case .cancelled: "cancelled"
        case .upstreamUnavailable: "upstream_unavailable"
        }
    }
}
