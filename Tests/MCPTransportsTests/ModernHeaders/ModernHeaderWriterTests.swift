import JSONRPC
import NIOCore
import NIOHTTP1
import Testing
@testable import MCPTransports

/// The headers written on upstream POSTs, and their agreement with the front's check.
struct ModernHeaderWriterTests {
    typealias F = ModernHeaderFixtures

    static func lines(_ pairs: [(String, String)]) -> [String] {
        pairs.map { "\($0.0): \($0.1)" }
    }

    @Test func writesVersionMethodNameAndParams() throws {
        let request = try F.call(#"{"region":"Zürich","count":42.0,"dry":true,"target":{"zone":-3},"free":"x","label":null}"#)
        let written = ModernHeaderWriter.headers(for: request, protocolVersion: "2026-07-28", annotations: try F.deployAnnotations())
        #expect(Self.lines(written) == [
            "MCP-Protocol-Version: 2026-07-28",
            "Mcp-Method: tools/call",
            "Mcp-Name: deploy",
            "Mcp-Param-Region: =?base64?WsO8cmljaA==?=",
            "Mcp-Param-Count: 42",
            "Mcp-Param-Dry-Run: true",
            "Mcp-Param-Zone: -3",
        ])
    }

    @Test(arguments: [
        ("tools/list", "", ["MCP-Protocol-Version: 2026-07-28", "Mcp-Method: tools/list"]),
        ("server/discover", "", ["MCP-Protocol-Version: 2026-07-28", "Mcp-Method: server/discover"]),
        ("prompts/get", #""name":"greet""#, ["MCP-Protocol-Version: 2026-07-28", "Mcp-Method: prompts/get", "Mcp-Name: greet"]),
        ("resources/read", #""uri":"file:///tmp/ä.txt""#,
         ["MCP-Protocol-Version: 2026-07-28", "Mcp-Method: resources/read", "Mcp-Name: =?base64?ZmlsZTovLy90bXAvw6QudHh0?="]),
        ("tools/call", #""name":" spaced""#, ["MCP-Protocol-Version: 2026-07-28", "Mcp-Method: tools/call", "Mcp-Name: =?base64?IHNwYWNlZA==?="]),
        ("tools/call", #""arguments":{}"#, ["MCP-Protocol-Version: 2026-07-28", "Mcp-Method: tools/call"]),
    ] as [(String, String, [String])])
    func writesRoutingHeaders(method: String, params: String, expected: [String]) throws {
        let written = ModernHeaderWriter.headers(for: try F.request(method, params), protocolVersion: "2026-07-28")
        #expect(Self.lines(written) == expected)
    }

    @Test func aRenamedToolCarriesTheUpstreamName() throws {
        // The proxy exposes `gh__deploy`; the upstream body is renamed to `deploy` before sending.
        let upstream = try F.call(#"{"region":"eu"}"#, name: "deploy")
        let written = ModernHeaderWriter.headers(for: upstream, protocolVersion: "2026-07-28", annotations: try F.deployAnnotations())
        #expect(written.first { $0.0 == "Mcp-Name" }?.1 == "deploy")
        // Before the body is spliced, the caller names the upstream tool explicitly.
        let front = try F.call(#"{"region":"eu"}"#, name: "gh__deploy")
        let named = ModernHeaderWriter.headers(for: front, protocolVersion: "2026-07-28", name: "deploy")
        #expect(named.first { $0.0 == "Mcp-Name" }?.1 == "deploy")
    }

    @Test func forwardsUnknownIncomingParamsOnce() throws {
        let incoming = ModernRequestHeaders(HTTPHeaders([
            ("mcp-param-region", "forged"), ("Mcp-Param-Tenant", "acme"), ("mcp-param-trace", "=?base64?dA==?="),
        ]))
        let written = ModernHeaderWriter.headers(
            for: try F.call(#"{"region":"eu"}"#), protocolVersion: "2026-07-28",
            annotations: try F.deployAnnotations(), forwarding: incoming)
        #expect(Self.lines(written).suffix(3) == [
            "Mcp-Param-Region: eu", "Mcp-Param-Tenant: acme", "mcp-param-trace: =?base64?dA==?=",
        ])
        // Without annotations every incoming param is unknown, and forwarded as is.
        let plain = ModernHeaderWriter.headers(for: try F.call(#"{"region":"eu"}"#), protocolVersion: "2026-07-28", forwarding: incoming)
        #expect(plain.count == 3 + 3)
    }

    /// Whatever the writer sends, the check accepts (the front and a compliant upstream agree).
    @Test(arguments: [
        #"{}"#,
        #"{"region":"us-west1"}"#,
        #"{"region":"=?base64?x?=","count":9007199254740993}"#,
        #"{"region":"tab\there","count":-0,"dry":false}"#,
        #"{"region":" lead","count":1e3,"target":{"zone":0}}"#,
        #"{"region":"日本","label":"\u0000","dry":true,"free":[1]}"#,
        #"{"region":null,"count":null,"target":null}"#,
        #"{"region":{"nested":"no header form"}}"#,
    ])
    func writtenHeadersPassTheCheck(arguments: String) throws {
        let request = try F.call(arguments)
        let annotations = try F.deployAnnotations()
        let written = ModernHeaderWriter.headers(for: request, protocolVersion: "2026-07-28", annotations: annotations)
        let received = ModernRequestHeaders(HTTPHeaders(written))
        #expect(ModernHeaderCheck.check(received, request: request, annotations: annotations) == nil)
        // Dropping any one Mcp-Param header the writer produced is caught.
        for dropped in written.indices where written[dropped].0.hasPrefix("Mcp-Param-") {
            var fewer = written
            fewer.remove(at: dropped)
            #expect(ModernHeaderCheck.check(ModernRequestHeaders(HTTPHeaders(fewer)), request: request, annotations: annotations) != nil)
        }
    }
}
