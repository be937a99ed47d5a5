import JSONRPC
import NIOCore
import Testing
@testable import MCPTransports

/// Scanning a whole `tools/list` result for annotations and invalid tools.
struct XMCPHeaderToolScanTests {
    @Test func splitsAnnotatedPlainAndInvalidTools() throws {
        let result = try JSONView.parse(ByteBuffer(string: #"""
            {"tools":[
              {"name":"deploy","inputSchema":{"type":"object","properties":{"region":{"type":"string","x-mcp-header":"Region"}}}},
              {"name":"echo","inputSchema":{"type":"object","properties":{"text":{"type":"string"}}}},
              {"name":"bad","inputSchema":{"type":"object","properties":{"n":{"type":"number","x-mcp-header":"N"}}}},
              {"name":"nested-bad","inputSchema":{"type":"object","properties":{"l":{"type":"array","items":{"type":"string","x-mcp-header":"L"}}}}},
              {"inputSchema":{"properties":{"x":{"type":"string","x-mcp-header":"X"}}}},
              {"name":"no-schema"}],
             "ttlMs":0,"cacheScope":"private","resultType":"complete"}
            """#))
        let scan = XMCPHeaderToolScan(toolsListResult: result)
        #expect(scan.annotated == ["deploy": XMCPHeaderAnnotations(entries: [.init(path: ["region"], token: "Region", type: .string)])])
        #expect(Set(scan.invalid.keys) == ["bad", "nested-bad"])
        #expect(scan.invalid["bad"]?.reason.contains("(got 'number')") == true)
        #expect(scan.annotations(forTool: "deploy")?.entries.count == 1)
        #expect(scan.annotations(forTool: "echo") == XMCPHeaderAnnotations.none)
        #expect(scan.annotations(forTool: "unknown") == XMCPHeaderAnnotations.none)
        #expect(scan.annotations(forTool: "bad") == nil)
    }

    @Test func aResultWithoutToolsHasNone() throws {
        let scan = XMCPHeaderToolScan(toolsListResult: try JSONView.parse(ByteBuffer(string: #"{"tools":"no"}"#)))
        #expect(scan.annotated.isEmpty && scan.invalid.isEmpty)
    }
}
