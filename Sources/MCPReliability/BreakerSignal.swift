/// The outcome of one call through a ``CircuitBreaker``, as reported by
/// ``CircuitBreaker/record(_:probe:)``.
public enum BreakerSignal: Sendable, Equatable {
    /// The upstream answered with a result.
    case success
    /// The upstream answered, but with a JSON-RPC error or a tool result marked `isError`.
    /// A failure only when ``CircuitBreakerPolicy/countErrors`` is set; otherwise a success.
    case remoteError
    /// The call could not be delivered or its answer could not be read: the connection broke,
    /// the process exited, the HTTP request failed.
    case transportFailure
    /// No answer arrived before the request's deadline.
    case timeout
}
