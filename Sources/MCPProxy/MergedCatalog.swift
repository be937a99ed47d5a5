import JSONRPC
import Logging
import MCPRouting
import MCPStats
import NIOConcurrencyHelpers

/// One exposed item of a merged list.
struct MergedEntry: Sendable {
    /// The upstream that serves it (after route rules).
    let upstream: Int
    /// Its name or URI at that upstream.
    let original: String
    /// `original` as a JSON string token, ready to splice into a forwarded request.
    let originalJSON: [UInt8]
    /// Its name or URI as clients see it.
    let exposed: String
    /// The item object as clients see it.
    let bytes: [UInt8]
    /// Stats for calls to it (tools and prompts).
    let series: RequestSeries?
    /// A tool that is safe to send twice (read-only or idempotent annotations).
    var repeatable = false
}

/// A merged list at one generation.
struct MergedList: Sendable {
    let entries: [MergedEntry]
    let byExposed: [String: Int]
    let generation: UInt64

    static let empty = MergedList(entries: [], byExposed: [:], generation: 0)
}

/// The upstreams' lists and their merged, namespaced views.
///
/// Each upstream's lists are fetched once and kept until it says they changed; the merged view is
/// rebuilt only when a part changes. Route decisions and filters are applied while merging, so
/// calls resolve with one dictionary lookup.
final class MergedCatalog: Sendable {
    private let upstreams: [UpstreamDefinition]
    private let options: ProxyOptions
    private let stats: StatsRegistry
    private let logger: Logger
    private let uriNamespacer: URINamespacer
    private let state = NIOLockedValueBox(State())
    /// Each virtual endpoint's view of the merged lists, per generation.
    let endpointLists = EndpointListCache()
    /// Each `discovery: search` endpoint's tool index, per generation (SessionToolSearch.swift).
    let toolSearch = ToolSearchCatalogCache()
    /// Each upstream's list caching hints, for 2026-07-28 clients (ListCacheHints.swift).
    let cacheHints = ListCacheHints()
    /// The tools' `x-mcp-header` annotations, per endpoint and generation (ToolHeaderAnnotationIndex.swift).
    let headerAnnotations = ToolHeaderAnnotationCache()

    private struct State {
        var lists: [ListKind: [Int: [CatalogItem]]] = [:]
        var versions: [ListKind: [Int: UInt64]] = [:]
        var merged: [ListKind: MergedList] = [:]
        var generation: UInt64 = 1
        /// Bumped by every change of a part; a merged view built from an older snapshot of the
        /// parts is not kept (a store can land while another thread is merging).
        var partsVersion: [ListKind: UInt64] = [:]
        /// Tools withheld by pinning (`mode: enforce`) from the newest merged tools, by their name
        /// at `/mcp`; kept beside the merged list, so resolving a call copies nothing more.
        var quarantined: (generation: UInt64, tools: [String: QuarantinedTool]) = (0, [:])
        var resourceRegistry = ResourceRegistry()
        var registryCurrent = false
    }

    init(upstreams: [UpstreamDefinition], options: ProxyOptions, stats: StatsRegistry, logger: Logger) {
        self.upstreams = upstreams
        self.options = options
        self.stats = stats
        self.logger = logger
        self.uriNamespacer = URINamespacer(upstreams: upstreams.map(\.name))
    }

    // MARK: Parts

    func isLoaded(_ kind: ListKind, upstream: Int) -> Bool {
        state.withLockedValue { $0.lists[kind]?[upstream] != nil }
    }

    /// A token to pass to `store`, so a list fetched before a change notification is not kept.
    func version(_ kind: ListKind, upstream: Int) -> UInt64 {
        state.withLockedValue { $0.versions[kind]?[upstream] ?? 0 }
    }

    /// Keeps an upstream's full list, unless it changed since `version` was read.
    func store(_ kind: ListKind, upstream: Int, items: [CatalogItem], version: UInt64) {
        var items = items
        if kind == .tools, let pinning = options.toolPinning {
            items = pinning.inspect(server: upstreams[upstream].name, items: items)
        }
        state.withLockedValue { state in
            guard (state.versions[kind]?[upstream] ?? 0) == version else { return }
            state.lists[kind, default: [:]][upstream] = items
            state.partsVersion[kind, default: 0] &+= 1
            state.merged[kind] = nil
            state.registryCurrent = false
        }
    }

    /// The tools pinning withholds now, by their name at `/mcp`; empty without pinning.
    func quarantinedTools() -> [String: QuarantinedTool] {
        guard options.toolPinning != nil else { return [:] }
        _ = merged(.tools)
        return state.withLockedValue { $0.quarantined.tools }
    }

    /// Pins changed (an approval): the merged tools are built again from the lists held.
    func pinsChanged() {
        state.withLockedValue { state in
            state.partsVersion[.tools, default: 0] &+= 1
            state.merged[.tools] = nil
        }
    }

    /// Forgets an upstream's list so it is fetched again.
    func invalidate(_ kind: ListKind, upstream: Int) {
        state.withLockedValue { state in
            state.versions[kind, default: [:]][upstream, default: 0] += 1
            if state.lists[kind]?.removeValue(forKey: upstream) != nil {
                state.partsVersion[kind, default: 0] &+= 1
                state.merged[kind] = nil
                state.registryCurrent = false
            }
        }
    }

    /// Drops everything of an upstream; returns the kinds in which it had items.
    func remove(upstream: Int) -> [ListKind] {
        state.withLockedValue { state in
            var changed: [ListKind] = []
            for kind in ListKind.allCases {
                state.versions[kind, default: [:]][upstream, default: 0] += 1
                if let items = state.lists[kind]?.removeValue(forKey: upstream) {
                    state.partsVersion[kind, default: 0] &+= 1
                    state.merged[kind] = nil
                    state.registryCurrent = false
                    if !items.isEmpty { changed.append(kind) }
                }
            }
            return changed
        }
    }

    // MARK: Merged views

    /// The merged list of `kind` over the upstreams whose lists are loaded.
    func merged(_ kind: ListKind) -> MergedList {
        let (parts, generation, partsVersion, cached) = state.withLockedValue { state -> ([Int: [CatalogItem]], UInt64, UInt64, MergedList?) in
            if let merged = state.merged[kind] { return ([:], 0, 0, merged) }
            state.generation += 1
            return (state.lists[kind] ?? [:], state.generation, state.partsVersion[kind] ?? 0, nil)
        }
        if let cached { return cached }
        let built = build(kind, parts: parts, generation: generation)
        state.withLockedValue { state in
            // Kept only if no part changed since the snapshot it was built from.
            guard (state.partsVersion[kind] ?? 0) == partsVersion else { return }
            if state.merged[kind] == nil || (state.merged[kind]?.generation ?? 0) < generation {
                state.merged[kind] = built
            }
        }
        return built
    }

    /// The entry a client's name or URI stands for.
    func resolve(_ kind: ListKind, exposed: String) -> MergedEntry? {
        let list = merged(kind)
        guard let index = list.byExposed[exposed] else { return nil }
        return list.entries[index]
    }

    /// The upstream that owns a URI the client sent, and the URI to send it.
    func resourceTarget(for uri: String) -> (upstream: Int, uri: String)? {
        if options.rewriteResourceURIs {
            guard let (name, original) = uriNamespacer.original(exposed: uri),
                  let index = upstreams.firstIndex(where: { $0.name == name }) else { return nil }
            return (index, original)
        }
        if let entry = resolve(.resources, exposed: uri) { return (entry.upstream, entry.original) }
        if let entry = resolve(.resourceTemplates, exposed: uri) { return (entry.upstream, entry.original) }
        let registry = resourceRegistry()
        guard let owner = registry.owner(of: uri), let index = upstreams.firstIndex(where: { $0.name == owner }) else { return nil }
        return (index, uri)
    }

    /// The URI a client sees for an upstream's URI.
    func exposedURI(_ uri: String, upstream: Int) -> String {
        options.rewriteResourceURIs ? uriNamespacer.exposed(uri: uri, upstream: upstreams[upstream].name) : uri
    }

    private func resourceRegistry() -> ResourceRegistry {
        let (current, registry, versions) = state.withLockedValue {
            ($0.registryCurrent, $0.resourceRegistry, ($0.partsVersion[.resources] ?? 0, $0.partsVersion[.resourceTemplates] ?? 0))
        }
        if current { return registry }
        let resources = merged(.resources)
        let templates = merged(.resourceTemplates)
        var fresh = ResourceRegistry()
        for (index, definition) in upstreams.enumerated() {
            let uris = resources.entries.filter { $0.upstream == index }.map(\.original)
            let patterns = templates.entries.filter { $0.upstream == index }.map(\.original)
            if !uris.isEmpty || !patterns.isEmpty {
                fresh.setResources(upstream: definition.name, uris: uris, templates: patterns)
            }
        }
        state.withLockedValue { state in
            // Kept only if the lists did not change while it was built.
            guard (state.partsVersion[.resources] ?? 0, state.partsVersion[.resourceTemplates] ?? 0) == versions else { return }
            state.resourceRegistry = fresh
            state.registryCurrent = true
        }
        return fresh
    }

    private func build(_ kind: ListKind, parts: [Int: [CatalogItem]], generation: UInt64) -> MergedList {
        switch kind {
        case .tools, .prompts:
            return buildNamed(kind, parts: parts, generation: generation)
        case .resources, .resourceTemplates:
            return buildResources(kind, parts: parts, generation: generation)
        }
    }

    private func buildNamed(_ kind: ListKind, parts: [Int: [CatalogItem]], generation: UInt64) -> MergedList {
        var inputs: [(name: String, style: NamespaceStyle, names: [String])] = []
        var visible: [String: [CatalogItem]] = [:]
        var indexByName: [String: Int] = [:]
        for (index, definition) in upstreams.enumerated() {
            guard let items = parts[index] else { continue }
            let filter = kind == .tools ? definition.toolFilter : definition.promptFilter
            let kept = items.filter { filter.permits($0.key) }
            visible[definition.name] = kept
            indexByName[definition.name] = index
            inputs.append((definition.name, definition.namespace, kept.map(\.key)))
        }
        let registry = NameRegistry(upstreams: inputs, namespacer: Namespacer(maxLength: options.maxNameLength), policy: options.collisionPolicy)
        for collision in registry.collisions {
            logger.warning("name collision in \(kind.resultKey): \(collision)")
        }
        var entries: [MergedEntry] = []
        var byExposed: [String: Int] = [:]
        var quarantined: [String: QuarantinedTool] = [:]
        let pinning = kind == .tools ? options.toolPinning : nil
        for named in registry.entries {
            guard let owner = indexByName[named.upstream], let item = visible[named.upstream]?[safe: named.index] else { continue }
            var target = owner
            switch options.routes?.decide(method: kind.itemMethod, name: named.exposed, upstream: named.upstream) {
            case .deny?:
                continue
            case .route(let upstreamName)?:
                if let index = upstreams.firstIndex(where: { $0.name == upstreamName }) { target = index }
            case .allow?, nil:
                break
            }
            if let pinning, let fingerprint = item.fingerprint,
               pinning.isQuarantined(server: named.upstream, tool: named.original, fingerprint: fingerprint) {
                quarantined[named.exposed] = QuarantinedTool(
                    upstream: named.upstream, original: named.original, exposed: named.exposed, current: fingerprint,
                    pinned: pinning.pin(server: named.upstream, tool: named.original)?.fingerprint)
                continue
            }
            let series = stats.requestSeries(upstream: upstreams[target].name, method: kind.itemMethod, tool: named.original)
            byExposed[named.exposed] = entries.count
            entries.append(MergedEntry(upstream: target, original: named.original, originalJSON: JSONString.encode(named.original), exposed: named.exposed, bytes: item.renamed(to: named.exposed), series: series, repeatable: item.repeatable))
        }
        if pinning != nil {
            state.withLockedValue { state in
                if state.quarantined.generation < generation { state.quarantined = (generation, quarantined) }
            }
        }
        return MergedList(entries: entries, byExposed: byExposed, generation: generation)
    }

    private func buildResources(_ kind: ListKind, parts: [Int: [CatalogItem]], generation: UInt64) -> MergedList {
        var entries: [MergedEntry] = []
        var byExposed: [String: Int] = [:]
        for (index, definition) in upstreams.enumerated() {
            guard let items = parts[index] else { continue }
            for item in items where definition.resourceFilter.permits(item.key) {
                if options.routes?.decide(method: kind.itemMethod, name: item.key, upstream: definition.name) == .deny { continue }
                let exposed = exposedURI(item.key, upstream: index)
                if let existing = byExposed[exposed] {
                    let other = upstreams[entries[existing].upstream].name
                    logger.warning("\(kind.resultKey): '\(exposed)' is offered by '\(other)' and '\(definition.name)'; '\(other)' keeps it (set proxy.namespacing.rewriteResourceURIs to expose both)")
                    continue
                }
                byExposed[exposed] = entries.count
                entries.append(MergedEntry(upstream: index, original: item.key, originalJSON: JSONString.encode(item.key), exposed: exposed, bytes: item.renamed(to: exposed), series: nil))
            }
        }
        return MergedList(entries: entries, byExposed: byExposed, generation: generation)
    }
}

extension Array {
    subscript(safe index: Int) -> Element? {
        indices.contains(index) ? self[index] : nil
    }
}
