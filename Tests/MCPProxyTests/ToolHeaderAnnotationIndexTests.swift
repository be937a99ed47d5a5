import MCPTransports
import Testing

@testable import MCPProxy

/// The annotation index the HTTP front's `Mcp-Param-*` check reads: built once per tool-list
/// generation from the tools' bytes, under the names clients see.
@Suite struct ToolHeaderAnnotationIndexTests {
    static let annotated = Array(#"{"name":"ns__where","inputSchema":{"type":"object","properties":{"region":{"type":"string","x-mcp-header":"Region"},"q":{"type":"string"}}}}"#.utf8)
    static let plain = Array(#"{"name":"ns__echo","inputSchema":{"type":"object","properties":{"text":{"type":"string"}}}}"#.utf8)
    static let invalid = Array(#"{"name":"ns__bad","inputSchema":{"type":"object","properties":{"n":{"type":"number","x-mcp-header":"N"}}}}"#.utf8)

    @Test func keepsOnlyToolsWithValidAnnotations() {
        let index = ToolHeaderAnnotationIndex(generation: 3, tools: [
            (name: "ns__where", bytes: Self.annotated), (name: "ns__echo", bytes: Self.plain), (name: "ns__bad", bytes: Self.invalid),
        ])
        #expect(index.generation == 3)
        #expect(index.byName.keys.sorted() == ["ns__where"])
        #expect(index.byName["ns__where"]?.entries == [.init(path: ["region"], token: "Region", type: .string)])
    }

    @Test func preFilterSkipsToolsThatNeverMentionTheKeyword() {
        #expect(ToolHeaderAnnotationIndex.mentionsKeyword(Self.annotated))
        #expect(!ToolHeaderAnnotationIndex.mentionsKeyword(Self.plain))
        #expect(!ToolHeaderAnnotationIndex.mentionsKeyword(Array("x-mcp".utf8)))
        #expect(ToolHeaderAnnotationIndex.mentionsKeyword(Array("x-mcp-header".utf8)))
    }

    @Test func cacheScansOncePerGenerationAndEndpoint() {
        let cache = ToolHeaderAnnotationCache()
        var scans = 0
        let tools = { () -> [(name: String, bytes: [UInt8])] in
            scans += 1
            return [(name: "ns__where", bytes: Self.annotated), (name: "ns__echo", bytes: Self.plain)]
        }
        #expect(cache.annotations(tool: "ns__where", path: "", generation: 5, tools: tools)?.entries.first?.token == "Region")
        #expect(cache.annotations(tool: "ns__echo", path: "", generation: 5, tools: tools) == nil)
        #expect(cache.annotations(tool: "nope", path: "", generation: 5, tools: tools) == nil)
        #expect(scans == 1, "one scan per generation")
        _ = cache.annotations(tool: "ns__where", path: "/view", generation: 5, tools: tools)
        #expect(scans == 2, "each endpoint has its own names")
        _ = cache.annotations(tool: "ns__where", path: "", generation: 6, tools: { scans += 1; return [] })
        #expect(scans == 3, "a new generation scans again")
        #expect(cache.annotations(tool: "ns__where", path: "", generation: 6, tools: tools) == nil, "the new list has no such tool")
    }
}
