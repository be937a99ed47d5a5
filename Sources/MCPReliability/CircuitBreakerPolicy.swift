/// When a ``CircuitBreaker`` opens, how long it stays open, and how it tests the upstream again.
///
/// A plain value: configuration code builds one, a ``CircuitBreaker`` applies it. Out-of-range
/// values are clamped by ``init(failureThreshold:openDuration:countErrors:halfOpenProbes:)``
/// (and again by the breaker, since the properties are mutable), never rejected.
public struct CircuitBreakerPolicy: Sendable, Equatable {
    /// How many consecutive failures open the breaker (at least 1). Default 5.
    public var failureThreshold: Int
    /// How long the breaker stays open before it lets a probe through; also how long a probe
    /// may stay unanswered before its slot is given to another caller. Default 10 s; negative
    /// durations count as zero.
    public var openDuration: Duration
    /// Whether a ``BreakerSignal/remoteError`` (a JSON-RPC error response, or a tool result
    /// with `isError`) counts as a failure. Default `false`: the upstream answered, so it is
    /// alive; a broken tool is not a broken server.
    public var countErrors: Bool
    /// How many probes may be in flight at once while the breaker is half-open (at least 1).
    /// Default 1.
    public var halfOpenProbes: Int

    /// Creates a policy. Defaults: open after 5 consecutive failures, for 10 s, counting only
    /// transport failures and timeouts, with one probe at a time when half-open.
    /// `failureThreshold` and `halfOpenProbes` below 1 become 1.
    public init(
        failureThreshold: Int = 5,
        openDuration: Duration = .seconds(10),
        countErrors: Bool = false,
        halfOpenProbes: Int = 1
    ) {
        self.failureThreshold = max(1, failureThreshold)
        self.openDuration = max(.zero, openDuration)
        self.countErrors = countErrors
        self.halfOpenProbes = max(1, halfOpenProbes)
    }

    /// Whether `signal` counts as a failure under this policy: transport failures and timeouts
    /// always do, remote errors only when ``countErrors`` is set, successes never.
    public func isFailure(_ signal: BreakerSignal) -> Bool {
        switch signal {
        case .success: false
        case .remoteError: countErrors
        case .transportFailure, .timeout: true
        }
    }
}
