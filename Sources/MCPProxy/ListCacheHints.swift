import JSONRPC
import NIOConcurrencyHelpers

/// The caching hints (`ttlMs`, `cacheScope`) of each upstream's lists, kept beside the catalog's
/// lists: a 2026-07-28 upstream sends them with every list page; a handshake-era upstream sends
/// none. Read only when answering a 2026-07-28 client.
final class ListCacheHints: Sendable {
    private let hints = NIOLockedValueBox<[ListKind: [Int: CacheHint]]>([:])

    /// Keeps the hint an upstream's list of `kind` came with; nil (the list carried none) forgets
    /// an older one.
    func record(_ kind: ListKind, upstream: Int, hint: CacheHint?) {
        hints.withLockedValue { $0[kind, default: [:]][upstream] = hint }
    }

    /// The hint of an upstream's list of `kind`; nil when it carried none.
    func hint(_ kind: ListKind, upstream: Int) -> CacheHint? {
        hints.withLockedValue { $0[kind]?[upstream] }
    }

    /// The hint one page of a list result carries: nil when it has neither `ttlMs` nor
    /// `cacheScope` (a handshake-era upstream); a missing or invalid field of the two reads as the
    /// SDK default for that field.
    static func hint(ofPage result: JSONView) -> CacheHint? {
        guard result["ttlMs"] != nil || result["cacheScope"] != nil else { return nil }
        return CacheHint(result: result)
    }

    /// The hint of a merged list or read answer: the parts' hints merged (the smallest `ttlMs`,
    /// `private` if any part is); a part without a hint (a handshake-era upstream) counts as
    /// `ttlMs: 0, cacheScope: "private"`, as does an answer with no parts. `privateScope` (the
    /// proxy filtered the answer for one principal, or an upstream serves it with that
    /// principal's credentials) makes it private whatever the parts say.
    static func merged(_ parts: [CacheHint?], privateScope: Bool) -> CacheHint {
        var hint = CacheHint.combine(parts.map { $0 ?? .sdkDefault }) ?? .sdkDefault
        if privateScope { hint.scope = .private }
        return hint
    }
}

/// `ttlMs` and `cacheScope` on the proxy's answers to 2026-07-28 clients (issue #11, item 7).
/// Handshake-era answers never reach this code: each entry point is behind a `route.isModern`
/// check.
extension ProxySession {
    /// Whether what this session lists or reads may differ per principal: lists are filtered by
    /// authorization rules, or an upstream is reached with the principal's own credentials. Such
    /// answers are `cacheScope: "private"` whatever the upstreams say.
    var answersPerPrincipal: Bool {
        visibility != nil || services.contains { serves($0) && $0.definition.makePrincipalTransport != nil }
    }

    /// The caching hint of this session's merged list of `kind`: merged over the upstreams behind
    /// it whose lists are loaded (config order; see ``ListCacheHints/merged(_:privateScope:)``).
    func listCacheHint(_ kind: ListKind) -> CacheHint {
        var parts: [CacheHint?] = []
        for service in services where serves(service) && catalog.isLoaded(kind, upstream: service.index) {
            parts.append(catalog.cacheHints.hint(kind, upstream: service.index))
        }
        return ListCacheHints.merged(parts, privateScope: answersPerPrincipal)
    }

    /// `,"ttlMs":…,"cacheScope":…` for a list result the proxy builds, to append before its
    /// closing brace; empty for a handshake-era client (its answer stays byte for byte as before).
    func cacheHintMembers(_ kind: ListKind, route: ReplyRoute) -> [UInt8] {
        guard route.isModern else { return [] }
        let hint = listCacheHint(kind)
        var bytes = Array(#","ttlMs":"#.utf8)
        bytes += Array(String(hint.ttlMs).utf8)
        bytes += Array(#","cacheScope":"#.utf8)
        bytes += JSONString.encode(hint.scope.rawValue)
        return bytes
    }
}
