/// The size and refill rate of a token bucket.
public struct TokenBucketLimit: Sendable, Hashable, CustomStringConvertible {
    /// Tokens added per second (fractions allowed, e.g. 0.5 for one every two seconds).
    public var rate: Double
    /// The bucket size: the most requests allowed at once after a quiet period.
    public var burst: Int

    /// Creates a limit; `rate` is clamped to at least one token per ~30 years and `burst` to 1...1e9.
    public init(rate: Double, burst: Int) {
        self.rate = rate.isFinite ? Swift.max(rate, 1e-9) : 1e9
        self.burst = Swift.min(Swift.max(burst, 1), 1_000_000_000)
    }

    /// `rate/s burst N`.
    public var description: String { "\(rate)/s burst \(burst)" }
}

/// One bucket: tokens held as integer nano-tokens so that refills are exact at the bucket edge.
struct TokenBucket: Sendable {
    static let scale: UInt64 = 1_000_000_000

    /// Tokens × 10⁹.
    var nanotokens: UInt64
    /// When the bucket was last refilled (monotonic nanoseconds).
    var updatedAt: UInt64
    /// When a request last took tokens.
    var lastUsed: UInt64
    /// Tokens per nanosecond × 10⁹ (that is, tokens per second).
    let rate: Double
    /// The bucket size × 10⁹.
    let capacity: UInt64

    /// A full bucket.
    init(limit: TokenBucketLimit, now: UInt64) {
        rate = limit.rate
        capacity = UInt64(limit.burst) * Self.scale
        nanotokens = capacity
        updatedAt = now
        lastUsed = now
    }

    /// The nano-tokens the bucket would hold at `now`.
    func level(at now: UInt64) -> UInt64 {
        guard now > updatedAt else { return nanotokens }
        let room = capacity - nanotokens
        let added = Double(now - updatedAt) * rate
        if added >= Double(room) { return capacity }
        return nanotokens + UInt64(added.rounded())
    }

    /// Adds the tokens earned since the last refill.
    mutating func refill(now: UInt64) {
        nanotokens = level(at: now)
        if now > updatedAt { updatedAt = now }
    }

    /// Nil when `cost` tokens are available now, else the nanoseconds until they will be.
    func shortfall(cost: UInt64) -> UInt64? {
        let needed = cost * Self.scale
        if nanotokens >= needed { return nil }
        if needed > capacity { return UInt64.max }
        let wait = (Double(needed - nanotokens) / rate).rounded(.up)
        return wait >= Double(UInt64.max / 2) ? UInt64.max / 2 : Swift.max(1, UInt64(wait))
    }

    /// Takes up to `cost` tokens (never below zero).
    mutating func take(cost: UInt64, now: UInt64) {
        let amount = cost * Self.scale
        nanotokens = nanotokens >= amount ? nanotokens - amount : 0
        lastUsed = now
    }
}
