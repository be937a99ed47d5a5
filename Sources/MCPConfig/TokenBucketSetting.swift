/// A token bucket: `rate` tokens are added per second up to `burst`; each counted request takes
/// one. Used by `proxy.auth.preAuthLimit`.
public struct TokenBucketSetting: Sendable, Equatable {
    /// Tokens added per second; greater than 0, fractions allowed (`0.5` is one every 2 s).
    public var rate: Double
    /// The bucket size: how many requests may arrive at once after a quiet period; at least 1.
    public var burst: Int

    /// Creates a bucket.
    public init(rate: Double, burst: Int) {
        self.rate = rate
        self.burst = burst
    }

    /// The default limit before authentication: 20 requests per second per remote address, with
    /// bursts of 100.
    public static let preAuthDefault = TokenBucketSetting(rate: 20, burst: 100)
}
