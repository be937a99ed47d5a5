/// One token bucket a request draws from, described so that a shared store can keep it: the
/// form in which ``TokenBucketRateLimiter/sharedBuckets(principal:method:name:upstream:)`` hands
/// the buckets of a request to a backend other than its own memory (Redis, for replicas).
public struct SharedBucket: Sendable, Equatable {
    /// A stable key naming the bucket on every replica: the entry's position and what it is
    /// counted per (`0|p|<identity>`, `1|pt|<identity>|<tool>`, `2|u|<upstream>`).
    public var key: String
    /// Tokens added per second (may be fractional).
    public var rate: Double
    /// The bucket's capacity.
    public var burst: Int
    /// The entry as configured, for the refusal's message.
    public var entry: String

    /// Creates a bucket description.
    public init(key: String, rate: Double, burst: Int, entry: String) {
        self.key = key
        self.rate = rate
        self.burst = burst
        self.entry = entry
    }
}

extension TokenBucketRateLimiter {
    /// The buckets a request draws from, in entry order; empty when no entry applies. Used by a
    /// shared backend; this limiter's own `check` does not call it (it allocates).
    public func sharedBuckets(principal: Principal, method: MCPMethod, name: String?, upstream: String?) -> [SharedBucket] {
        var buckets: [SharedBucket] = []
        for (index, entry) in entries.enumerated() {
            guard let key = compiledKey(index: index, principal: principal, method: method, name: name, upstream: upstream) else { continue }
            let text: String
            switch entry.per {
            case .principal: text = "\(index)|p|\(key.identity)"
            case .principalAndTool: text = "\(index)|pt|\(key.identity)|\(key.tool ?? "")"
            case .upstream: text = "\(index)|u|\(key.identity)"
            }
            buckets.append(SharedBucket(key: text, rate: entry.rate, burst: entry.burst, entry: entry.description))
        }
        return buckets
    }
}
