/// The exposed names of all upstreams' tools (or prompts), with collisions resolved and a reverse map.
///
/// No item ever shadows another: any two items whose exposed names coincide, after prefixing,
/// sanitising and shortening, or as duplicates within one upstream, are reported as a collision
/// and resolved by the policy.
public struct NameRegistry: Sendable {
    /// Visible entries in upstream order, then item order.
    public private(set) var entries: [NamedEntry]
    /// Every collision met while building, in the order met.
    public private(set) var collisions: [NameCollision]

    private var byExposed: [String: Int]
    private var byOriginal: [OriginKey: Int]

    private struct OriginKey: Hashable, Sendable {
        var upstream: String
        var original: String
    }

    /// Builds the registry.
    ///
    /// - Parameters:
    ///   - upstreams: in priority (config) order; each with its namespace style and its item names
    ///     in its own order.
    ///   - namespacer: sanitises and shortens names.
    ///   - policy: what to do with the later item of a colliding pair.
    public init(
        upstreams: [(name: String, style: NamespaceStyle, names: [String])],
        namespacer: Namespacer, policy: CollisionPolicy
    ) {
        var entries: [NamedEntry] = []
        var collisions: [NameCollision] = []
        var byExposed: [String: Int] = [:]
        var byOriginal: [OriginKey: Int] = [:]

        func add(_ entry: NamedEntry) {
            byExposed[entry.exposed] = entries.count
            let key = OriginKey(upstream: entry.upstream, original: entry.original)
            if byOriginal[key] == nil { byOriginal[key] = entries.count }
            entries.append(entry)
        }

        for upstream in upstreams {
            for (index, original) in upstream.names.enumerated() {
                let exposed = namespacer.exposedName(original: original, style: upstream.style)
                guard let holder = byExposed[exposed] else {
                    add(NamedEntry(upstream: upstream.name, original: original, exposed: exposed, index: index))
                    continue
                }
                let kept = entries[holder]
                let resolution: String
                switch policy {
                case .firstWins:
                    resolution = "hidden"
                case .suffix:
                    var counter = 2
                    var candidate = namespacer.legalName(exposed + "_\(counter)")
                    while byExposed[candidate] != nil {
                        counter += 1
                        candidate = namespacer.legalName(exposed + "_\(counter)")
                    }
                    add(NamedEntry(upstream: upstream.name, original: original, exposed: candidate, index: index))
                    resolution = "renamed to \"\(candidate)\""
                }
                collisions.append(
                    NameCollision(
                        exposedName: exposed, keptUpstream: kept.upstream, keptOriginal: kept.original,
                        otherUpstream: upstream.name, otherOriginal: original, resolution: resolution))
            }
        }
        self.entries = entries
        self.collisions = collisions
        self.byExposed = byExposed
        self.byOriginal = byOriginal
    }

    /// The entry a client's name refers to, or `nil` for an unknown name. O(1).
    public func resolve(exposed: String) -> NamedEntry? {
        byExposed[exposed].map { entries[$0] }
    }

    /// The name clients see for an upstream's item, or `nil` when it is unknown or hidden. When one
    /// upstream lists the same name twice, this is the first one's exposed name.
    public func exposedName(upstream: String, original: String) -> String? {
        byOriginal[OriginKey(upstream: upstream, original: original)].map { entries[$0].exposed }
    }
}
