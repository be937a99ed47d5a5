import NIOConcurrencyHelpers

/// Token buckets by key, under one lock, with idle buckets evicted so memory stays bounded.
///
/// A bucket that is full again and has not been used for ``idleNanoseconds`` is removed on the
/// next sweep (sweeps run at most every ``sweepIntervalNanoseconds``, inside a call): a full
/// bucket is the same as a new one, so nothing is forgotten. If more than ``maxEntries`` buckets
/// are live even after a sweep, full buckets are dropped regardless of idleness, and then
/// arbitrary ones (those keys start again from a full bucket: the table fails open rather than
/// refusing unknown keys).
///
/// Used per principal (by ``TokenBucketRateLimiter``) and per remote address before
/// authentication (by ``PreAuthLimiter``).
public final class TokenBucketTable<Key: Hashable & Sendable>: Sendable {
    /// The buckets and the sweep bookkeeping; only touched under the table's lock.
    struct Storage: Sendable {
        var buckets: [Key: TokenBucket] = [:]
        var lastSweep: UInt64 = 0
        let idle: UInt64
        let interval: UInt64
        let maxEntries: Int

        /// Refills `key`'s bucket (creating a full one) and returns nil when `cost` tokens are
        /// available, else the wait in nanoseconds. Takes nothing.
        mutating func shortfall(_ key: Key, limit: TokenBucketLimit, cost: UInt64, now: UInt64) -> UInt64? {
            if let index = buckets.index(forKey: key) {
                buckets.values[index].refill(now: now)
                return buckets.values[index].shortfall(cost: cost)
            }
            let bucket = TokenBucket(limit: limit, now: now)
            buckets[key] = bucket
            return bucket.shortfall(cost: cost)
        }

        /// Takes `cost` tokens from `key`'s bucket (which `shortfall` created).
        mutating func take(_ key: Key, limit: TokenBucketLimit, cost: UInt64, now: UInt64) {
            if let index = buckets.index(forKey: key) {
                buckets.values[index].refill(now: now)
                buckets.values[index].take(cost: cost, now: now)
            } else {
                var bucket = TokenBucket(limit: limit, now: now)
                bucket.take(cost: cost, now: now)
                buckets[key] = bucket
            }
        }

        /// Sweeps when the interval has passed or the table is over its cap.
        mutating func sweepIfDue(now: UInt64) {
            if now &- lastSweep >= interval || buckets.count > maxEntries { sweep(now: now) }
        }

        /// Removes idle full buckets; over the cap, also busy full ones, then arbitrary ones.
        mutating func sweep(now: UInt64) {
            lastSweep = now
            let idle = self.idle
            buckets = buckets.filter { _, bucket in
                !(bucket.level(at: now) == bucket.capacity && now &- bucket.lastUsed >= idle)
            }
            guard buckets.count > maxEntries else { return }
            buckets = buckets.filter { _, bucket in bucket.level(at: now) < bucket.capacity }
            guard buckets.count > maxEntries else { return }
            let excess = buckets.count - maxEntries * 9 / 10
            for key in buckets.keys.prefix(excess) { buckets.removeValue(forKey: key) }
        }
    }

    /// How long a full bucket must be unused before it is evicted.
    public let idleNanoseconds: UInt64
    /// The least time between two sweeps.
    public let sweepIntervalNanoseconds: UInt64
    /// The most buckets kept.
    public let maxEntries: Int

    private let storage: NIOLockedValueBox<Storage>

    /// Creates an empty table.
    public init(idleNanoseconds: UInt64 = 60_000_000_000, sweepIntervalNanoseconds: UInt64 = 10_000_000_000, maxEntries: Int = 1_000_000) {
        self.idleNanoseconds = idleNanoseconds
        self.sweepIntervalNanoseconds = sweepIntervalNanoseconds
        self.maxEntries = Swift.max(1, maxEntries)
        self.storage = NIOLockedValueBox(Storage(idle: idleNanoseconds, interval: sweepIntervalNanoseconds, maxEntries: Swift.max(1, maxEntries)))
    }

    /// Takes `cost` tokens from `key`'s bucket when it has them: nil means allowed, otherwise
    /// the nanoseconds until enough tokens will be there (nothing is taken then).
    public func acquire(_ key: Key, limit: TokenBucketLimit, cost: Int = 1, now: UInt64) -> UInt64? {
        let cost = UInt64(Swift.max(cost, 0))
        return storage.withLockedValue { storage in
            storage.sweepIfDue(now: now)
            if let wait = storage.shortfall(key, limit: limit, cost: cost, now: now) { return wait }
            storage.take(key, limit: limit, cost: cost, now: now)
            return nil
        }
    }

    /// Takes up to `cost` tokens whether or not they are there (a penalty, e.g. for a failed
    /// authentication); the bucket never goes below empty.
    public func charge(_ key: Key, limit: TokenBucketLimit, cost: Int, now: UInt64) {
        let cost = UInt64(Swift.max(cost, 0))
        storage.withLockedValue { storage in
            storage.sweepIfDue(now: now)
            storage.take(key, limit: limit, cost: cost, now: now)
        }
    }

    /// Sweeps now (idle full buckets; over the cap, more).
    public func sweep(now: UInt64) {
        storage.withLockedValue { $0.sweep(now: now) }
    }

    /// The number of live buckets.
    public var count: Int { storage.withLockedValue { $0.buckets.count } }

    /// Runs `body` under the lock (several buckets checked and taken atomically).
    func withStorage<Result>(_ body: (inout Storage) -> Result) -> Result {
        storage.withLockedValue { body(&$0) }
    }
}
