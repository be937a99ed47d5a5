/// How often, and how far apart, a request that is safe to repeat (see ``RetrySafety``) is
/// tried again after a transport failure or timeout.
///
/// The delay before retry *n* is exponential, `backoff * 2^(n-1)` capped at ``maxBackoff``,
/// with "equal jitter": uniform between half that value and all of it, so synchronized
/// clients spread out while every retry still waits at least half the nominal delay.
/// Retries should also be paid for from a shared ``RetryBudget``.
public struct RetryPolicy: Sendable, Equatable {
    /// How many times a safe request is tried in all, including the first try (at least 1;
    /// 1 means no retry). Default 2.
    public var attempts: Int
    /// The nominal delay before the first retry; doubled for each further retry. Default 50 ms;
    /// negative durations count as zero.
    public var backoff: Duration
    /// The longest nominal delay (at least ``backoff``). Default 2 s.
    public var maxBackoff: Duration

    /// No retries: one attempt.
    public static let none = RetryPolicy(attempts: 1)

    /// Creates a policy. Defaults: 2 attempts, 50 ms backoff, at most 2 s.
    /// `attempts` below 1 becomes 1; a negative `backoff` becomes zero; a `maxBackoff` below
    /// `backoff` becomes `backoff`.
    public init(attempts: Int = 2, backoff: Duration = .milliseconds(50), maxBackoff: Duration = .seconds(2)) {
        self.attempts = max(1, attempts)
        self.backoff = max(.zero, backoff)
        self.maxBackoff = max(self.backoff, maxBackoff)
    }

    /// How many retries the policy allows after the first try: `attempts - 1`.
    public var maxRetries: Int { max(0, attempts - 1) }

    /// The nominal (unjittered) delay before retry `retry` (1-based; values below 1 count as 1):
    /// `backoff * 2^(retry-1)`, at most ``maxBackoff``.
    public func nominalDelay(beforeRetry retry: Int) -> Duration {
        .nanoseconds(Int64(clamping: nominalNanoseconds(beforeRetry: retry)))
    }

    /// The delay before retry `retry` (1-based: 1 is the first retry, the second attempt):
    /// uniform in `[nominal / 2, nominal]`, where nominal is ``nominalDelay(beforeRetry:)``.
    /// - Parameter random: the source of jitter; tests pass a seeded generator.
    public func delay(beforeRetry retry: Int, using random: inout some RandomNumberGenerator) -> Duration {
        let full = nominalNanoseconds(beforeRetry: retry)
        let half = full / 2
        let jitter = UInt64.random(in: 0...(full - half), using: &random)
        return .nanoseconds(Int64(clamping: half + jitter))
    }

    /// The nominal delay in nanoseconds, computed without overflow.
    private func nominalNanoseconds(beforeRetry retry: Int) -> UInt64 {
        let base = backoff.nanosecondsClamped
        let cap = max(base, maxBackoff.nanosecondsClamped)
        let doublings = UInt64(min(max(retry - 1, 0), 63))
        let (scaled, overflow) = base.multipliedReportingOverflow(by: 1 << doublings)
        return overflow ? cap : min(scaled, cap)
    }
}
