/// A map with a fixed capacity that forgets its oldest insertion when full (first in, first out).
///
/// Not thread-safe: owners keep it under their lock. Lookups and insertions of existing keys do
/// not allocate; once the ring is allocated, inserting new keys allocates only if the dictionary
/// grows.
struct BoundedCache<Key: Hashable, Value> {
    private var entries: [Key: (value: Value, slot: Int)] = [:]
    private var ring: [Key?]
    private var next = 0

    /// The most entries kept.
    let capacity: Int

    /// Creates an empty cache holding at most `capacity` entries (at least 1).
    init(capacity: Int) {
        self.capacity = Swift.max(1, capacity)
        self.ring = Array(repeating: nil, count: self.capacity)
        entries.reserveCapacity(Swift.min(self.capacity, 1024))
    }

    /// The number of entries.
    var count: Int { entries.count }

    /// The value for `key`, if present.
    subscript(key: Key) -> Value? {
        entries[key]?.value
    }

    /// Inserts or replaces; a new key evicts the oldest insertion when the cache is full.
    mutating func insert(_ value: Value, for key: Key) {
        if let existing = entries[key] {
            entries[key] = (value, existing.slot)
            return
        }
        if let old = ring[next], let stored = entries[old], stored.slot == next {
            entries.removeValue(forKey: old)
        }
        ring[next] = key
        entries[key] = (value, next)
        next = next + 1 == capacity ? 0 : next + 1
    }

    /// Removes `key` (its ring slot is reclaimed when the ring comes round to it).
    mutating func remove(_ key: Key) {
        entries.removeValue(forKey: key)
    }

    /// Removes every entry for which `shouldRemove` is true.
    mutating func removeAll(where shouldRemove: (Key, Value) -> Bool) {
        let doomed = entries.compactMap { shouldRemove($0.key, $0.value.value) ? $0.key : nil }
        for key in doomed { entries.removeValue(forKey: key) }
    }
}

extension BoundedCache: Sendable where Key: Sendable, Value: Sendable {}
