import NIOHTTP1
import Testing
@testable import MCPTransports

/// Reading the routing and `Mcp-Param-*` headers from raw header lines.
struct ModernRequestHeadersTests {
    @Test func readsNamesCaseInsensitively() {
        let headers = ModernRequestHeaders(HTTPHeaders([
            ("mcp-protocol-version", "2026-07-28"), ("MCP-METHOD", "tools/call"), ("Mcp-Name", "echo"),
            ("MCP-Param-Region", "us-west1"), ("mcp-param-count", "3"), ("Content-Type", "application/json"),
        ]))
        #expect(headers.protocolVersion == "2026-07-28")
        #expect(headers.method == "tools/call")
        #expect(headers.name == "echo")
        #expect(headers.duplicatedRoutingHeader == nil)
        #expect(headers.params.map(\.token) == ["Region", "count"])
        #expect(headers.paramValues(token: "REGION") == ["us-west1"])
        #expect(headers.paramValues(token: "Count") == ["3"])
        #expect(headers.paramValues(token: "zone").isEmpty)
    }

    @Test(arguments: [
        ([("Mcp-Method", "a"), ("mcp-method", "b")], "mcp-method"),
        ([("MCP-Protocol-Version", "2026-07-28"), ("mcp-protocol-version", "2026-07-28")], "mcp-protocol-version"),
        ([("Mcp-Name", "x"), ("Mcp-Method", "m"), ("MCP-NAME", "x")], "mcp-name"),
    ] as [([(String, String)], String)])
    func findsADuplicatedRoutingHeader(lines: [(String, String)], duplicated: String) {
        let headers = ModernRequestHeaders(HTTPHeaders(lines))
        #expect(headers.duplicatedRoutingHeader == duplicated)
    }

    @Test func keepsTheFirstOfDuplicatesAndEveryParamLine() {
        let headers = ModernRequestHeaders(HTTPHeaders([
            ("Mcp-Method", "first"), ("Mcp-Method", "second"), ("Mcp-Param-A", "1"), ("mcp-param-a", "2"),
        ]))
        #expect(headers.method == "first")
        #expect(headers.paramValues(token: "a") == ["1", "2"])
    }

    @Test func ignoresLookalikes() {
        let headers = ModernRequestHeaders(HTTPHeaders([
            ("Mcp-Param-", "empty token"), ("Mcp-Names", "x"), ("X-Mcp-Method", "y"), ("Mcp-Session-Id", "z"),
        ]))
        #expect(headers == ModernRequestHeaders())
    }

    @Test func listsTheParamsTheAnnotationsDoNotName() {
        let headers = ModernRequestHeaders(HTTPHeaders([
            ("Mcp-Param-Region", "eu"), ("mcp-param-tenant", "acme"), ("Mcp-Param-Trace", "t1"),
        ]))
        let annotations = XMCPHeaderAnnotations(entries: [.init(path: ["region"], token: "region", type: .string)])
        #expect(headers.unrecognizedParams(annotations).map(\.name) == ["mcp-param-tenant", "Mcp-Param-Trace"])
        #expect(headers.unrecognizedParams(.none).count == 3)
    }
}

extension ModernRequestHeadersTests {
    @Test(arguments: [("eu", "eu"), (" eu", "eu"), ("eu \t", "eu"), ("\t e u \t", "e u"), ("", ""), ("  ", "")])
    func valuesLoseSurroundingWhitespace(raw: String, value: String) {
        #expect(ModernRequestHeaders.fieldValue(raw) == value)
        #expect(ModernRequestHeaders([(name: "Mcp-Param-A", value: raw)]).paramValues(token: "a") == [value])
    }
}
