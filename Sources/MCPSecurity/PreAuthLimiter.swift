/// The limit per remote address before authentication (`proxy.auth.preAuthLimit`).
///
/// Defaults: 20 requests per second with a burst of 100, and a failed authentication costs 4
/// more tokens (so a guesser is held to about 4 attempts per second, while a busy legitimate
/// client behind one address is not bothered).
public struct PreAuthLimit: Sendable, Hashable {
    /// Tokens per second.
    public var rate: Double
    /// The bucket size.
    public var burst: Int
    /// Extra tokens a failed authentication costs.
    public var failurePenalty: Int

    /// Creates a limit.
    public init(rate: Double = 20, burst: Int = 100, failurePenalty: Int = 4) {
        self.rate = rate
        self.burst = burst
        self.failurePenalty = failurePenalty
    }

    /// 20/s, burst 100, failure penalty 4.
    public static let `default` = PreAuthLimit()
}

/// Token buckets per remote address, checked before authentication; answers 429 with `Retry-After`.
public final class PreAuthLimiter: Sendable {
    /// The limit in force.
    public let limit: PreAuthLimit
    private let bucketLimit: TokenBucketLimit
    private let table: TokenBucketTable<String>

    /// Creates the limiter; at most `maxAddresses` buckets are kept (idle ones are evicted).
    public init(limit: PreAuthLimit = .default, maxAddresses: Int = 100_000, idleNanoseconds: UInt64 = 60_000_000_000) {
        self.limit = limit
        self.bucketLimit = TokenBucketLimit(rate: limit.rate, burst: limit.burst)
        self.table = TokenBucketTable(idleNanoseconds: idleNanoseconds, maxEntries: maxAddresses)
    }

    /// Counts one request from `remoteAddress`.
    public func check(remoteAddress: String, now: UInt64) -> RateLimitDecision {
        guard let wait = table.acquire(remoteAddress, limit: bucketLimit, now: now) else { return .allowed }
        return .limited(retryAfterNanoseconds: wait, entry: "preAuth")
    }

    /// Charges the failure penalty to `remoteAddress`.
    public func recordFailedAuthentication(remoteAddress: String, now: UInt64) {
        table.charge(remoteAddress, limit: bucketLimit, cost: limit.failurePenalty, now: now)
    }

    /// The number of addresses tracked.
    public var trackedAddresses: Int { table.count }

    /// `Retry-After` seconds for a wait in nanoseconds (rounded up, at least 1).
    public static func retryAfterSeconds(_ nanoseconds: UInt64) -> Int {
        let seconds = nanoseconds / 1_000_000_000 + (nanoseconds % 1_000_000_000 == 0 ? 0 : 1)
        return Int(Swift.max(1, seconds))
    }
}
