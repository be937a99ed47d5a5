/// Why ``ConnectionPool/acquire(_:timeout:)`` gave no lease.
public enum PoolError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No connection became available within the timeout.
    case timedOut(after: Duration)
    /// `limit` acquires were already waiting.
    case queueFull(limit: Int)
    /// The pool is shutting down (``ConnectionPool/drain(timeout:)`` was called).
    case draining
    /// No connection is usable and none can be had within the timeout: the gate refused to
    /// open one (e.g. a circuit breaker is open), or the last open failed (or the connection was
    /// lost) and the next attempt comes after the caller's deadline. `reason` says which.
    case unavailable(reason: String)

    /// What happened and what to do about it.
    public var description: String {
        switch self {
        case .timedOut(let after):
            "no upstream connection became available within \(after); retry later, or raise the pool's max or the request's timeout"
        case .queueFull(let limit):
            "\(limit) requests are already waiting for an upstream connection; retry shortly, or raise the pool's maxWaiters or max"
        case .draining:
            "the connection pool is shutting down; send the request to another instance or retry after the restart"
        case .unavailable(let reason):
            "the upstream is unavailable: \(reason)"
        }
    }
}
