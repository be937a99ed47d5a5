import JSONRPC
import Logging
import MCPRouting
import NIOConcurrencyHelpers
import NIOCore

/// One list as a virtual endpoint shows it: the merged list's entries behind the endpoint that
/// pass its filters, under their names at the endpoint, with their item bytes edited once.
struct EndpointList: Sendable {
    /// One item at the endpoint.
    struct Entry: Sendable {
        /// The item as the proxy's main path has it (upstream, original name, `/mcp` name).
        let merged: MergedEntry
        /// Its name (or URI) at the endpoint.
        let name: String
        /// The item object as the endpoint's clients see it.
        let bytes: [UInt8]
    }

    let entries: [Entry]
    let byName: [String: Int]
    /// The merged list's generation it was built from.
    let generation: UInt64

    /// Builds the endpoint's view of `merged`; `upstreamNames` maps upstream indexes to names.
    static func build(_ kind: ListKind, view: EndpointView, merged: MergedList, upstreamNames: [String], logger: Logger) -> EndpointList {
        let filter: NameFilter
        switch kind {
        case .tools: filter = view.tools
        case .prompts: filter = view.prompts
        case .resources, .resourceTemplates: filter = view.resources
        }
        let named = kind == .tools || kind == .prompts
        var entries: [Entry] = []
        var byName: [String: Int] = [:]
        for entry in merged.entries {
            guard view.serves(upstreamNames[entry.upstream]), filter.permits(entry.exposed) else { continue }
            var name = entry.exposed
            if named {
                name = view.originalNames ? entry.original : (view.rename[entry.exposed] ?? entry.exposed)
            }
            if let existing = byName[name] {
                logger.warning("endpoint \(view.path): \(kind.resultKey) '\(entries[existing].merged.exposed)' and '\(entry.exposed)' are both '\(name)' there; the first keeps it")
                continue
            }
            var bytes = entry.bytes
            if name != entry.exposed {
                bytes = edited(bytes, key: kind.keyField, value: JSONString.encode(name)) ?? bytes
            }
            if named, let description = view.describe[name] {
                bytes = edited(bytes, key: "description", value: JSONString.encode(description)) ?? bytes
            }
            byName[name] = entries.count
            entries.append(Entry(merged: entry, name: name, bytes: bytes))
        }
        return EndpointList(entries: entries, byName: byName, generation: merged.generation)
    }

    private static func edited(_ object: [UInt8], key: String, value: [UInt8]) -> [UInt8]? {
        guard let view = try? JSONView.parse(ByteBuffer(bytes: object)) else { return nil }
        return JSONObjectEditor.setting(key, to: value, in: view)
    }
}

/// The endpoint lists built from one ``MergedCatalog``, by endpoint path and kind; an entry is
/// used only while its merged list's generation is current, so each catalog change edits each
/// endpoint's items once, not every list request.
final class EndpointListCache: Sendable {
    private let lists = NIOLockedValueBox<[String: [ListKind: EndpointList]]>([:])

    /// The endpoint's view of `merged`, built on the first request of each generation.
    func list(_ kind: ListKind, view: EndpointView, merged: MergedList, upstreamNames: [String], logger: Logger) -> EndpointList {
        if let cached = lists.withLockedValue({ $0[view.path]?[kind] }), cached.generation == merged.generation {
            return cached
        }
        let built = EndpointList.build(kind, view: view, merged: merged, upstreamNames: upstreamNames, logger: logger)
        lists.withLockedValue { lists in
            if (lists[view.path]?[kind]?.generation ?? 0) <= built.generation {
                lists[view.path, default: [:]][kind] = built
            }
        }
        return built
    }
}
