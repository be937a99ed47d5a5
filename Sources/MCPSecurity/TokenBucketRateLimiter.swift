import MCPRouting

/// The in-memory ``RateLimiter``: token buckets per configured ``RateLimitEntry``.
///
/// Every entry that applies to a request must allow it; the check is atomic under one lock, and
/// when any entry refuses, no bucket is charged (a refused request costs nothing, so a principal
/// over its per-tool limit does not also drain its per-principal bucket). The retry time is the
/// longest wait among the refusing entries. Nothing is allocated for a request whose buckets
/// exist already.
public final class TokenBucketRateLimiter: RateLimiter {
    /// A bucket's key: the entry, and the principal's identity (with its precomputed hash) or
    /// the upstream's name, and the tool for `principal+tool` entries.
    struct BucketKey: Hashable, Sendable {
        let entry: Int
        let identityHash: Int
        let identity: String
        let tool: String?

        func hash(into hasher: inout Hasher) {
            hasher.combine(entry)
            hasher.combine(identityHash)
            if let tool { hasher.combine(tool) }
        }

        static func == (lhs: BucketKey, rhs: BucketKey) -> Bool {
            lhs.entry == rhs.entry && lhs.identityHash == rhs.identityHash && lhs.identity == rhs.identity && lhs.tool == rhs.tool
        }
    }

    /// One entry, compiled; a class so that reading it in the loop below copies nothing.
    private final class CompiledEntry: Sendable {
        let per: RateLimitEntry.Scope
        let limit: TokenBucketLimit
        /// Roles the entry is narrowed to (a few strings, compared without hashing).
        let roles: [String]?
        let tools: NameFilter?
        let methods: NameFilter?
        let description: String

        init(_ entry: RateLimitEntry) throws(GlobPatternError) {
            per = entry.per
            limit = TokenBucketLimit(rate: entry.rate, burst: entry.burst)
            roles = entry.roles
            tools = try entry.tools.map { patterns throws(GlobPatternError) in try NameFilter(allow: patterns, deny: []) }
            methods = try entry.methods.map { patterns throws(GlobPatternError) in try NameFilter(allow: patterns, deny: []) }
            description = entry.description
        }

        /// Whether the entry counts this request of `principal` (its methods, roles and tools).
        func applies(principal: Principal, method: MCPMethod, name: String?) -> Bool {
            if let methods {
                guard methods.permits(method.name) else { return false }
            } else {
                switch method {
                case .initialize, .ping: return false
                default: if method.isNotification { return false }
                }
            }
            if let roles {
                var matched = false
                for role in principal.roles where roles.contains(role) {
                    matched = true
                    break
                }
                guard matched else { return false }
            }
            if let tools {
                guard method == .toolsCall, let name, tools.permits(name) else { return false }
            }
            return true
        }

        /// The bucket key when the entry applies, else nil.
        func key(index: Int, principal: Principal, method: MCPMethod, name: String?, upstream: String?) -> BucketKey? {
            guard applies(principal: principal, method: method, name: name) else { return nil }
            let identityHash = principal.identityHash
            switch per {
            case .principal:
                return BucketKey(entry: index, identityHash: identityHash, identity: principal.identityKey, tool: nil)
            case .principalAndTool:
                guard method == .toolsCall, let name else { return nil }
                return BucketKey(entry: index, identityHash: identityHash, identity: principal.identityKey, tool: name)
            case .upstream:
                guard let upstream else { return nil }
                return BucketKey(entry: index, identityHash: 0, identity: upstream, tool: nil)
            }
        }
    }

    /// The slots of one principal's `per: principal` buckets, kept on the principal (through its
    /// memo) so that a session's requests find them without hashing. Read and written only under
    /// the table's lock; valid while the table's generation is unchanged.
    final class RememberedSlots: @unchecked Sendable {
        var generation: UInt64 = .max
        var slots: [Int]

        init(entries: Int) {
            slots = Array(repeating: -1, count: entries)
        }
    }

    /// The entries as configured.
    public let entries: [RateLimitEntry]
    private let memoKey = PrincipalMemoKey()
    private let compiled: [CompiledEntry]
    let table: TokenBucketTable<BucketKey>

    /// Compiles the entries. Idle buckets are evicted as ``TokenBucketTable`` describes.
    ///
    /// - Throws: `GlobPatternError` for a malformed `tools` or `methods` glob.
    public init(entries: [RateLimitEntry], idleNanoseconds: UInt64 = 60_000_000_000, sweepIntervalNanoseconds: UInt64 = 10_000_000_000, maxBuckets: Int = 1_000_000) throws(GlobPatternError) {
        self.entries = entries
        var compiled: [CompiledEntry] = []
        for entry in entries { compiled.append(try CompiledEntry(entry)) }
        self.compiled = compiled
        self.table = TokenBucketTable(idleNanoseconds: idleNanoseconds, sweepIntervalNanoseconds: sweepIntervalNanoseconds, maxEntries: maxBuckets)
    }

    /// The number of live buckets.
    public var bucketCount: Int { table.count }

    /// Entry `index`'s bucket key for a request, or nil when the entry does not apply.
    func compiledKey(index: Int, principal: Principal, method: MCPMethod, name: String?, upstream: String?) -> BucketKey? {
        compiled[index].key(index: index, principal: principal, method: method, name: name, upstream: upstream)
    }

    /// Sweeps idle buckets now.
    public func sweep(now: UInt64) { table.sweep(now: now) }

    /// See ``RateLimiter/check(principal:method:name:upstream:now:)``.
    public func check(principal: Principal, method: MCPMethod, name: String?, upstream: String?, now: UInt64) -> RateLimitDecision {
        let compiled = self.compiled
        let remembered = principal.memoizedObject(memoKey, isValid: { _ in true }) { RememberedSlots(entries: compiled.count) }
        // The slots of the applicable buckets, found (and refilled) in one pass; tokens are taken
        // in a second pass only when every bucket has them. The buffer is on the stack.
        return withUnsafeTemporaryAllocation(of: Int.self, capacity: compiled.count) { applicable in
            table.withStorage { storage in
                storage.sweepIfDue(now: now)
                if remembered.generation != storage.generation {
                    remembered.generation = storage.generation
                    for index in remembered.slots.indices { remembered.slots[index] = -1 }
                }
                var count = 0
                var longestWait: UInt64 = 0
                var refusing = -1
                for index in compiled.indices {
                    let entry = compiled[index]
                    let slot: Int
                    if entry.per == .principal, remembered.slots[index] >= 0, entry.applies(principal: principal, method: method, name: name) {
                        slot = remembered.slots[index]
                        storage.refill(slot, now: now)
                    } else {
                        guard let key = entry.key(index: index, principal: principal, method: method, name: name, upstream: upstream) else { continue }
                        slot = storage.slot(key, limit: entry.limit, now: now)
                        if entry.per == .principal { remembered.slots[index] = slot }
                    }
                    applicable[count] = slot
                    count += 1
                    if let wait = storage.shortfall(slot, cost: 1), wait >= longestWait {
                        longestWait = wait
                        refusing = index
                    }
                }
                if refusing >= 0 {
                    return .limited(retryAfterNanoseconds: longestWait, entry: compiled[refusing].description)
                }
                for position in 0..<count {
                    storage.take(applicable[position], cost: 1, now: now)
                }
                return .allowed
            }
        }
    }
}
