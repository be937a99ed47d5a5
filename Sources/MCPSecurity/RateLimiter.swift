/// What a ``RateLimiter`` decided about one request.
public enum RateLimitDecision: Sendable, Equatable {
    /// The request may proceed (its tokens were taken).
    case allowed
    /// Over the limit: retry after this many nanoseconds; `entry` describes the limit that refused.
    case limited(retryAfterNanoseconds: UInt64, entry: String)
}

/// Decides whether a request is within its rate limits, and takes its tokens when it is.
///
/// The protocol lets a shared backend (Redis) replace the in-memory ``TokenBucketRateLimiter``.
/// Implementations run on the transport's thread for every request: they must not block.
public protocol RateLimiter: Sendable {
    /// Checks and, when allowed, counts the request. `name` is the exposed tool or prompt name,
    /// `upstream` the routed upstream (nil before routing), `now` monotonic nanoseconds.
    func check(principal: Principal, method: MCPMethod, name: String?, upstream: String?, now: UInt64) -> RateLimitDecision
}
