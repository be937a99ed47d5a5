/// The state of a ``CircuitBreaker``.
public enum CircuitState: Sendable, Equatable {
    /// Calls flow; consecutive failures are being counted.
    case closed
    /// Calls are rejected until `until` (in the breaker's ``ReliabilityClock`` nanoseconds).
    /// The state stays `.open` after that instant until the next
    /// ``CircuitBreaker/admit()`` moves it to ``halfOpen``.
    case open(until: UInt64)
    /// A limited number of probe calls test whether the upstream recovered; the first probe
    /// to report back closes or re-opens the breaker.
    case halfOpen

    /// A stable name for logs and metrics: `"closed"`, `"open"` or `"half-open"`.
    public var name: String {
        switch self {
        case .closed: "closed"
        case .open: "open"
        case .halfOpen: "half-open"
        }
    }
}
