/// Which upstream owns a resource URI: exact URIs from `resources/list`, then URI templates from
/// `resources/templates/list`.
///
/// Upstreams are ordered by when they were first given resources; replacing an upstream's
/// resources keeps its place, removing it and adding it again puts it last.
public struct ResourceRegistry: Sendable {
    private struct UpstreamResources: Sendable {
        var upstream: String
        var uris: [String]
        var templates: [URITemplate]
    }

    private var upstreamResources: [UpstreamResources] = []
    /// URI → upstreams that list it, in upstream order.
    private var exactOwners: [String: [String]] = [:]

    /// Creates an empty registry.
    public init() {}

    /// The upstreams known to the registry, in priority order.
    public var upstreams: [String] { upstreamResources.map(\.upstream) }

    /// Replaces everything known about `upstream` with these URIs and templates.
    public mutating func setResources(upstream: String, uris: [String], templates: [String]) {
        let resources = UpstreamResources(upstream: upstream, uris: uris, templates: templates.map(URITemplate.init))
        if let position = upstreamResources.firstIndex(where: { $0.upstream == upstream }) {
            upstreamResources[position] = resources
        } else {
            upstreamResources.append(resources)
        }
        rebuildExactOwners()
    }

    /// Forgets `upstream` (for instance when it disconnects).
    public mutating func removeUpstream(_ upstream: String) {
        upstreamResources.removeAll { $0.upstream == upstream }
        rebuildExactOwners()
    }

    private mutating func rebuildExactOwners() {
        var owners: [String: [String]] = [:]
        for resources in upstreamResources {
            for uri in resources.uris where owners[uri]?.last != resources.upstream {
                owners[uri, default: []].append(resources.upstream)
            }
        }
        exactOwners = owners
    }

    /// The upstream that owns `uri`: the first upstream listing it exactly, else the first upstream
    /// with a matching template; `nil` when none claims it.
    public func owner(of uri: String) -> String? {
        if let owner = exactOwners[uri]?.first { return owner }
        return UTF8Buffer.with(uri) { bytes in
            for resources in upstreamResources {
                for template in resources.templates where template.matches(buffer: bytes) {
                    return resources.upstream
                }
            }
            return nil
        }
    }

    /// Every upstream that could own `uri`, exact listings first, then template matches, each once;
    /// more than one means the URI is ambiguous and `owner(of:)` picked the first.
    public func owners(of uri: String) -> [String] {
        var result = exactOwners[uri] ?? []
        UTF8Buffer.with(uri) { bytes in
            for resources in upstreamResources where !result.contains(resources.upstream) {
                if resources.templates.contains(where: { $0.matches(buffer: bytes) }) {
                    result.append(resources.upstream)
                }
            }
        }
        return result
    }
}
