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
    ///
    /// Buckets live in an array of slots and the dictionary maps a key to its slot, so a caller
    /// that checks several buckets and then takes from them hashes each key once.
    struct Storage: Sendable {
        var slotOfKey: [Key: Int] = [:]
        var slots: [TokenBucket] = []
        /// Bumped whenever slots are renumbered: a slot number remembered from an earlier
        /// generation must be looked up again.
        var generation: UInt64 = 0
        var lastSweep: UInt64 = 0
        let idle: UInt64
        let interval: UInt64
        let maxEntries: Int

        /// The number of live buckets.
        var count: Int { slotOfKey.count }

        /// The slot of `key`'s bucket, refilled to `now`; a new key gets a full bucket.
        mutating func slot(_ key: Key, limit: TokenBucketLimit, now: UInt64) -> Int {
            if let slot = slotOfKey[key] {
                slots[slot].refill(now: now)
                return slot
            }
            slots.append(TokenBucket(limit: limit, now: now))
            slotOfKey[key] = slots.count - 1
            return slots.count - 1
        }

        /// Refills a slot found earlier in this generation.
        mutating func refill(_ slot: Int, now: UInt64) {
            slots[slot].refill(now: now)
        }

        /// Nil when `cost` tokens are available in `slot`, else the wait in nanoseconds.
        func shortfall(_ slot: Int, cost: UInt64) -> UInt64? {
            slots[slot].shortfall(cost: cost)
        }

        /// Takes up to `cost` tokens from `slot` (never below empty).
        mutating func take(_ slot: Int, cost: UInt64, now: UInt64) {
            slots[slot].take(cost: cost, now: now)
        }

        /// Sweeps when the interval has passed or the table is over its cap.
        mutating func sweepIfDue(now: UInt64) {
            if now &- lastSweep >= interval || slotOfKey.count > maxEntries { sweep(now: now) }
        }

        /// Removes idle full buckets; over the cap, also busy full ones, then arbitrary ones.
        /// Slots are renumbered; a slot number is valid only within one locked call.
        mutating func sweep(now: UInt64) {
            lastSweep = now
            generation &+= 1
            let idle = self.idle
            let slots = self.slots
            var kept = slotOfKey.filter { _, slot in
                let bucket = slots[slot]
                return !(bucket.level(at: now) == bucket.capacity && now &- bucket.lastUsed >= idle)
            }
            if kept.count > maxEntries {
                kept = kept.filter { _, slot in slots[slot].level(at: now) < slots[slot].capacity }
            }
            if kept.count > maxEntries {
                let excess = kept.count - maxEntries * 9 / 10
                for key in Array(kept.keys.prefix(excess)) { kept.removeValue(forKey: key) }
            }
            var compacted: [TokenBucket] = []
            compacted.reserveCapacity(kept.count)
            var renumbered: [Key: Int] = [:]
            renumbered.reserveCapacity(kept.count)
            for (key, slot) in kept {
                renumbered[key] = compacted.count
                compacted.append(slots[slot])
            }
            slotOfKey = renumbered
            self.slots = compacted
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
            let slot = storage.slot(key, limit: limit, now: now)
            if let wait = storage.shortfall(slot, cost: cost) { return wait }
            storage.take(slot, cost: cost, now: now)
            return nil
        }
    }

    /// Takes up to `cost` tokens whether or not they are there (a penalty, e.g. for a failed
    /// authentication); the bucket never goes below empty.
    public func charge(_ key: Key, limit: TokenBucketLimit, cost: Int, now: UInt64) {
        let cost = UInt64(Swift.max(cost, 0))
        storage.withLockedValue { storage in
            storage.sweepIfDue(now: now)
            storage.take(storage.slot(key, limit: limit, now: now), cost: cost, now: now)
        }
    }

    /// Sweeps now (idle full buckets; over the cap, more).
    public func sweep(now: UInt64) {
        storage.withLockedValue { $0.sweep(now: now) }
    }

    /// The number of live buckets.
    public var count: Int { storage.withLockedValue { $0.count } }

    /// Runs `body` under the lock (several buckets checked and taken atomically).
    func withStorage<Result>(_ body: (inout Storage) -> Result) -> Result {
        storage.withLockedValue { body(&$0) }
    }
}
