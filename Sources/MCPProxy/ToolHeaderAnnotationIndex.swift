import JSONRPC
import MCPTransports
import NIOConcurrencyHelpers
import NIOCore

/// The `x-mcp-header` annotations of one tool list as clients see it (names after renames and
/// namespacing), read once from the tools' bytes when the list changes. Only tools with valid,
/// non-empty annotations are kept: a tool without any, or with invalid ones, has nothing to check.
struct ToolHeaderAnnotationIndex: Sendable {
    /// The merged tool list's generation it was built from.
    let generation: UInt64
    /// Annotated tools by their name at the endpoint.
    let byName: [String: XMCPHeaderAnnotations]

    /// Scans each tool's `inputSchema`; tools whose bytes never mention `x-mcp-header` are skipped
    /// without parsing.
    init(generation: UInt64, tools: [(name: String, bytes: [UInt8])]) {
        self.generation = generation
        var byName: [String: XMCPHeaderAnnotations] = [:]
        for tool in tools where Self.mentionsKeyword(tool.bytes) {
            guard let object = try? JSONView.parse(ByteBuffer(bytes: tool.bytes)),
                  let annotations = try? XMCPHeaderAnnotations(inputSchema: object["inputSchema"]),
                  !annotations.isEmpty else { continue }
            byName[tool.name] = annotations
        }
        self.byName = byName
    }

    private static let keyword = Array(XMCPHeaderAnnotations.keyword.utf8)

    /// True when `bytes` contain `x-mcp-header` (a cheap pre-filter; escapes are not undone, so a
    /// key spelled with escapes is missed, as no client would write one).
    static func mentionsKeyword(_ bytes: [UInt8]) -> Bool {
        guard bytes.count >= keyword.count else { return false }
        let first = keyword[0]
        var index = 0
        let last = bytes.count - keyword.count
        while index <= last {
            if bytes[index] == first, bytes[index..<(index + keyword.count)].elementsEqual(keyword) { return true }
            index += 1
        }
        return false
    }
}

/// The annotation indexes of the main path and each virtual endpoint, by endpoint path (`""` for
/// the main path); each is used while its merged tool list's generation is current, so a
/// catalog change scans the tools once, not each call.
final class ToolHeaderAnnotationCache: Sendable {
    private let indexes = NIOLockedValueBox<[String: ToolHeaderAnnotationIndex]>([:])

    /// The annotations of `tool` at the endpoint `path` for the list of `generation`; `tools`
    /// is asked only when that generation has no index yet.
    func annotations(
        tool: String, path: String, generation: UInt64, tools: () -> [(name: String, bytes: [UInt8])]
    ) -> XMCPHeaderAnnotations? {
        if let cached = indexes.withLockedValue({ $0[path] }), cached.generation == generation {
            return cached.byName[tool]
        }
        let built = ToolHeaderAnnotationIndex(generation: generation, tools: tools())
        indexes.withLockedValue { indexes in
            if (indexes[path]?.generation ?? 0) <= built.generation { indexes[path] = built }
        }
        return built.byName[tool]
    }
}

extension MCPProxy {
    /// The `x-mcp-header` annotations of `tool` (its name as the client sees it at `endpoint`, or
    /// at the main path when nil) in the merged catalog, for the HTTP front's `Mcp-Param-*` check
    /// (``HTTPFrontConfiguration/toolHeaderAnnotations``). Nil when the tool is unknown, has none,
    /// or has invalid ones; also nil when the upstreams are per-session (their catalogs belong to
    /// client sessions). The annotations are read once per change of the tool list.
    public func toolHeaderAnnotations(forTool tool: String, endpoint: EndpointView? = nil) -> XMCPHeaderAnnotations? {
        let catalog = hub.catalog
        let merged = catalog.merged(.tools)
        guard !merged.entries.isEmpty else { return nil }
        return catalog.headerAnnotations.annotations(tool: tool, path: endpoint?.path ?? "", generation: merged.generation) {
            guard let endpoint else { return merged.entries.map { (name: $0.exposed, bytes: $0.bytes) } }
            let list = catalog.endpointLists.list(.tools, view: endpoint, merged: merged, upstreamNames: upstreams.map(\.name), logger: logger)
            return list.entries.map { (name: $0.name, bytes: $0.bytes) }
        }
    }
}
