import MCPRouting

/// The in-memory ``RateLimiter``: token buckets per configured ``RateLimitEntry``.
///
/// Every entry that applies to a request must allow it; the check is atomic under one lock, and
/// when any entry refuses, no bucket is charged (a refused request costs nothing, so a principal
/// over its per-tool limit does not also drain its per-principal bucket). The retry time is the
/// longest wait among the refusing entries. Nothing is allocated for a request whose buckets
/// exist already.
public final class TokenBucketRateLimiter: RateLimiter {
    struct BucketKey: Hashable, Sendable {
        let entry: Int
        let identity: String
        let tool: String
    }

    private struct CompiledEntry: Sendable {
        let per: RateLimitEntry.Scope
        let limit: TokenBucketLimit
        let roles: Set<String>?
        let tools: NameFilter?
        let methods: NameFilter?
        let description: String

        init(_ entry: RateLimitEntry) throws(GlobPatternError) {
            per = entry.per
            limit = TokenBucketLimit(rate: entry.rate, burst: entry.burst)
            roles = entry.roles.map(Set.init)
            tools = try entry.tools.map { patterns throws(GlobPatternError) in try NameFilter(allow: patterns, deny: []) }
            methods = try entry.methods.map { patterns throws(GlobPatternError) in try NameFilter(allow: patterns, deny: []) }
            description = entry.description
        }

        /// The bucket key when the entry applies, else nil.
        func key(index: Int, principal: Principal, method: MCPMethod, name: String?, upstream: String?) -> BucketKey? {
            if let methods {
                guard methods.permits(method.name) else { return nil }
            } else {
                switch method {
                case .initialize, .ping: return nil
                default: if method.isNotification { return nil }
                }
            }
            if let roles {
                var matched = false
                for role in principal.roles where roles.contains(role) {
                    matched = true
                    break
                }
                guard matched else { return nil }
            }
            if let tools {
                guard method == .toolsCall, let name, tools.permits(name) else { return nil }
            }
            switch per {
            case .principal:
                return BucketKey(entry: index, identity: principal.identityKey, tool: "")
            case .principalAndTool:
                guard method == .toolsCall, let name else { return nil }
                return BucketKey(entry: index, identity: principal.identityKey, tool: name)
            case .upstream:
                guard let upstream else { return nil }
                return BucketKey(entry: index, identity: upstream, tool: "")
            }
        }
    }

    /// The entries as configured.
    public let entries: [RateLimitEntry]
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

    /// Sweeps idle buckets now.
    public func sweep(now: UInt64) { table.sweep(now: now) }

    /// See ``RateLimiter/check(principal:method:name:upstream:now:)``.
    public func check(principal: Principal, method: MCPMethod, name: String?, upstream: String?, now: UInt64) -> RateLimitDecision {
        let compiled = self.compiled
        return table.withStorage { storage in
            storage.sweepIfDue(now: now)
            var longestWait: UInt64 = 0
            var refusing = -1
            for index in compiled.indices {
                guard let key = compiled[index].key(index: index, principal: principal, method: method, name: name, upstream: upstream) else { continue }
                if let wait = storage.shortfall(key, limit: compiled[index].limit, cost: 1, now: now), wait >= longestWait {
                    longestWait = wait
                    refusing = index
                }
            }
            if refusing >= 0 {
                return .limited(retryAfterNanoseconds: longestWait, entry: compiled[refusing].description)
            }
            for index in compiled.indices {
                guard let key = compiled[index].key(index: index, principal: principal, method: method, name: name, upstream: upstream) else { continue }
                storage.take(key, limit: compiled[index].limit, cost: 1, now: now)
            }
            return .allowed
        }
    }
}
