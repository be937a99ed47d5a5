/// `cacheScope` of a cacheable 2026-07-28 result.
public enum CacheScope: String, Sendable, Hashable {
    /// No user-specific data; shared intermediaries may reuse it across authorization contexts.
    case `public`
    /// Reuse only within the authorization context that produced it.
    case `private`
}

/// The caching hint of a cacheable result (`ttlMs`, `cacheScope`), and the merge rule for a
/// result the proxy assembles from several parts: the smallest `ttlMs`, and `private` if any
/// part is private.
public struct CacheHint: Sendable, Hashable {
    /// Freshness in milliseconds (0 = immediately stale); never negative.
    public var ttlMs: Int64
    /// Who may reuse it.
    public var scope: CacheScope

    /// Creates a hint; a negative `ttlMs` is floored to 0 (as the SDK client does).
    public init(ttlMs: Int64, scope: CacheScope) {
        self.ttlMs = max(ttlMs, 0)
        self.scope = scope
    }

    /// The SDK server's default and the value assumed for a handshake-era part that has no hint:
    /// `ttlMs: 0`, `cacheScope: "private"`.
    public static let sdkDefault = CacheHint(ttlMs: 0, scope: .private)

    /// This hint merged with `other`: min of the ttls, private if either is.
    public func combined(with other: CacheHint) -> CacheHint {
        CacheHint(ttlMs: min(ttlMs, other.ttlMs), scope: scope == .private || other.scope == .private ? .private : .public)
    }

    /// All parts merged; nil for no parts.
    public static func combine<Parts: Sequence>(_ parts: Parts) -> CacheHint? where Parts.Element == CacheHint {
        parts.reduce(nil) { merged, part in merged.map { $0.combined(with: part) } ?? part }
    }

    /// Reads `ttlMs` and `cacheScope` from a result object; either missing or invalid (negative,
    /// not an integer, unknown scope) falls back to the `sdkDefault` value for that field.
    public init(result: JSONView) {
        let ttl = result["ttlMs"]?.int64 ?? CacheHint.sdkDefault.ttlMs
        let scope = result["cacheScope"]?.string.flatMap(CacheScope.init(rawValue:)) ?? CacheHint.sdkDefault.scope
        self.init(ttlMs: ttl, scope: scope)
    }
}
