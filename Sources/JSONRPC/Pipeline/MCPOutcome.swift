/// How a request ended, as stages learn it in `finished`.
public enum MCPOutcome: Sendable, Equatable {
    /// The upstream answered with a result.
    case success
    /// The upstream (or the proxy's terminal) answered with a JSON-RPC error.
    case error(code: Int)
    /// A stage refused it; `reason` is the refusal's reason.
    case refused(reason: String)
    /// The deadline passed before an answer.
    case timeout
    /// The upstream was unavailable or failed before answering.
    case upstreamUnavailable
    /// The client cancelled it.
    case cancelled
}

/// What `finished` learns about a request besides its context: allocation-free, copied by value.
public struct MCPCallSummary: Sendable {
    /// The request's method.
    public var method: MCPMethod
    /// When it arrived (monotonic nanoseconds).
    public var receivedAt: UInt64
    /// How long it took, in nanoseconds.
    public var latencyNanoseconds: UInt64
    /// Size of the answer the client got from the upstream, in bytes (as sent, id restored);
    /// 0 when no upstream answer reached it (timeout, failure, cancellation).
    public var responseBytes: Int

    /// Creates a summary.
    public init(method: MCPMethod, receivedAt: UInt64, latencyNanoseconds: UInt64, responseBytes: Int = 0) {
        self.method = method
        self.receivedAt = receivedAt
        self.latencyNanoseconds = latencyNanoseconds
        self.responseBytes = responseBytes
    }
}
