/// How long to wait before restarting something that failed: doubling from `first`, capped at
/// `maximum`, optionally with jitter so a fleet of restarts does not synchronize.
public struct RestartBackoff: Sendable, Equatable {
    /// The delay before the first attempt.
    public var first: Duration
    /// The longest delay.
    public var maximum: Duration

    /// Creates a backoff. Defaults: 500 ms, doubling up to 30 s.
    public init(first: Duration = .milliseconds(500), maximum: Duration = .seconds(30)) {
        self.first = first
        self.maximum = max(first, maximum)
    }

    /// The delay before attempt `attempt` (1-based): `first * 2^(attempt-1)`, at most `maximum`.
    public func delay(attempt: Int) -> Duration {
        let doublings = min(max(attempt - 1, 0), 30)
        let delay = first * (1 << doublings)
        return min(delay, maximum)
    }
}
