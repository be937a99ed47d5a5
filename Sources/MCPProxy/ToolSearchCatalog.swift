import JSONRPC
import MCPRouting
import NIOConcurrencyHelpers
import NIOCore

/// An endpoint's tools made searchable: the BM25 index over them and, per tool, the object
/// `search_tools` answers with. Built once per catalog change from the endpoint's view of the
/// tools (``EndpointList``): every tool behind the endpoint, whoever asks; each query keeps
/// only the tools its principal may see.
struct ToolSearchCatalog: Sendable {
    /// The endpoint list's (and so the merged list's) generation it was built from.
    let generation: UInt64
    let index: ToolSearchIndex
    /// Per document: `{"name":…,"description":…,"inputSchema":…}` as the endpoint shows the tool.
    let results: [[UInt8]]
    /// Per document: the tool's name at `/mcp`, which visibility rules match.
    let exposedNames: [String]

    init(_ list: EndpointList) {
        var documents: [ToolSearchDocument] = []
        var results: [[UInt8]] = []
        documents.reserveCapacity(list.entries.count)
        results.reserveCapacity(list.entries.count)
        for entry in list.entries {
            let item = try? JSONView.parse(ByteBuffer(bytes: entry.bytes))
            let title = item?["title"]?.string
            let description = item?["description"]?.string
            let schema = item?["inputSchema"]
            var parameters = ""
            if let properties = schema?["properties"], properties.kind == .object {
                for (name, property) in properties.members {
                    parameters += name + " "
                    if let text = property["description"]?.string { parameters += text + " " }
                }
            }
            let about = [title, description].compactMap { $0 }.joined(separator: " ")
            documents.append(ToolSearchDocument(name: entry.name, description: about, parameters: parameters))
            var result: [UInt8] = Array(#"{"name":"#.utf8)
            JSONString.append(entry.name, to: &result)
            if let description {
                result += Array(#","description":"#.utf8)
                JSONString.append(description, to: &result)
            }
            result += Array(#","inputSchema":"#.utf8)
            if let schema, schema.kind == .object {
                result += schema.rawBytes
            } else {
                result += Array(#"{"type":"object"}"#.utf8)
            }
            result.append(UInt8(ascii: "}"))
            results.append(result)
        }
        self.generation = list.generation
        self.index = ToolSearchIndex(documents)
        self.results = results
        self.exposedNames = list.entries.map(\.merged.exposed)
    }
}

/// The search catalogs of one ``MergedCatalog``'s endpoints, by endpoint path; one is used only
/// while its generation is the endpoint list's, so the index is built once per catalog change
/// (not per session, principal or query).
final class ToolSearchCatalogCache: Sendable {
    private let built = NIOLockedValueBox<[String: ToolSearchCatalog]>([:])

    /// The search catalog of `list`, the tools at the endpoint served at `path`.
    func catalog(path: String, list: EndpointList) -> ToolSearchCatalog {
        if let cached = built.withLockedValue({ $0[path] }), cached.generation == list.generation {
            return cached
        }
        let fresh = ToolSearchCatalog(list)
        built.withLockedValue { built in
            if (built[path]?.generation ?? 0) <= fresh.generation { built[path] = fresh }
        }
        return fresh
    }
}
