import JSONRPC
import NIOCore
import Testing
@testable import MCPTransports

/// Rung 2: `MCP-Protocol-Version`, `Mcp-Method`, `Mcp-Name` and duplicated routing headers.
struct ModernHeaderRoutingTests {
    typealias F = ModernHeaderFixtures

    static let versionMessage = "mcp-protocol-version header does not match the request envelope's protocol version"
    static let methodMessage = "mcp-method header does not match the request body's method"
    static let nameMessage = "mcp-name header does not match the request body's 'name' parameter"
    static let uriMessage = "mcp-name header does not match the request body's 'uri' parameter"

    @Test func matchingHeadersPass() throws {
        #expect(ModernHeaderCheck.routing(F.headers(), request: try F.call("{}")) == nil)
        #expect(ModernHeaderCheck.routing(F.headers(method: "tools/list", name: nil), request: try F.request("tools/list")) == nil)
        #expect(ModernHeaderCheck.routing(F.headers(method: "server/discover", name: nil), request: try F.request("server/discover")) == nil)
    }

    /// Each case: header lines, the request, and the SDK's message (nil: accepted).
    @Test(arguments: [
        // protocol version
        ([("Mcp-Method", "tools/list")], "tools/list", "", versionMessage),
        ([("MCP-Protocol-Version", "2025-11-25"), ("Mcp-Method", "tools/list")], "tools/list", "", versionMessage),
        ([("MCP-Protocol-Version", "2026-7-28"), ("Mcp-Method", "tools/list")], "tools/list", "", versionMessage),
        // method
        ([("MCP-Protocol-Version", "2026-07-28")], "tools/list", "", methodMessage),
        ([("MCP-Protocol-Version", "2026-07-28"), ("Mcp-Method", "tools/call")], "tools/list", "", methodMessage),
        ([("MCP-Protocol-Version", "2026-07-28"), ("Mcp-Method", "Tools/List")], "tools/list", "", methodMessage),
        // name / uri
        ([("MCP-Protocol-Version", "2026-07-28"), ("Mcp-Method", "tools/call")], "tools/call", #""name":"echo""#, nameMessage),
        ([("MCP-Protocol-Version", "2026-07-28"), ("Mcp-Method", "tools/call"), ("Mcp-Name", "Echo")], "tools/call", #""name":"echo""#, nameMessage),
        ([("MCP-Protocol-Version", "2026-07-28"), ("Mcp-Method", "tools/call"), ("Mcp-Name", "echo")], "tools/call", #""name":"echo""#, nil),
        ([("MCP-Protocol-Version", "2026-07-28"), ("Mcp-Method", "tools/call"), ("mcp-name", "=?base64?ZWNobw==?=")], "tools/call", #""name":"echo""#, nil),
        ([("MCP-Protocol-Version", "2026-07-28"), ("Mcp-Method", "tools/call"), ("Mcp-Name", "=?base64?ZWNobx==?=")], "tools/call", #""name":"echo""#, nameMessage),
        ([("MCP-Protocol-Version", "2026-07-28"), ("Mcp-Method", "tools/call"), ("Mcp-Name", "echo")], "tools/call", #""name":"ech\u006f""#, nil),
        ([("MCP-Protocol-Version", "2026-07-28"), ("Mcp-Method", "tools/call"), ("Mcp-Name", "=?base64?WsO8cmljaA==?=")], "tools/call", #""name":"Zürich""#, nil),
        ([("MCP-Protocol-Version", "2026-07-28"), ("Mcp-Method", "tools/call"), ("Mcp-Name", "Zürich")], "tools/call", #""name":"Zürich""#, nameMessage),
        ([("MCP-Protocol-Version", "2026-07-28"), ("Mcp-Method", "tools/call"), ("Mcp-Name", "5")], "tools/call", #""name":5"#, nameMessage),
        ([("MCP-Protocol-Version", "2026-07-28"), ("Mcp-Method", "tools/call")], "tools/call", #""arguments":{}"#, nil),
        ([("MCP-Protocol-Version", "2026-07-28"), ("Mcp-Method", "tools/call")], "tools/call", #""name":null"#, nil),
        ([("MCP-Protocol-Version", "2026-07-28"), ("Mcp-Method", "prompts/get"), ("Mcp-Name", "greet")], "prompts/get", #""name":"greet""#, nil),
        ([("MCP-Protocol-Version", "2026-07-28"), ("Mcp-Method", "prompts/get"), ("Mcp-Name", "other")], "prompts/get", #""name":"greet""#, nameMessage),
        ([("MCP-Protocol-Version", "2026-07-28"), ("Mcp-Method", "resources/read"), ("Mcp-Name", "file:///a b")], "resources/read", #""uri":"file:///a b""#, nil),
        ([("MCP-Protocol-Version", "2026-07-28"), ("Mcp-Method", "resources/read"), ("Mcp-Name", "file:///b")], "resources/read", #""uri":"file:///a""#, uriMessage),
        ([("MCP-Protocol-Version", "2026-07-28"), ("Mcp-Method", "resources/read")], "resources/read", #""uri":"file:///a""#, uriMessage),
        // Mcp-Name is not checked where the body names nothing.
        ([("MCP-Protocol-Version", "2026-07-28"), ("Mcp-Method", "tools/list"), ("Mcp-Name", "whatever")], "tools/list", "", nil),
        // duplicates win over everything else
        ([("MCP-Protocol-Version", "2026-07-28"), ("Mcp-Method", "tools/list"), ("mcp-method", "tools/list")], "tools/list", "", "mcp-method header appears more than once"),
        ([("MCP-Protocol-Version", "2026-07-28"), ("MCP-Protocol-Version", "2026-07-28")], "tools/list", "", "mcp-protocol-version header appears more than once"),
        ([("MCP-Protocol-Version", "2026-07-28"), ("Mcp-Method", "tools/call"), ("Mcp-Name", "echo"), ("MCP-name", "echo")], "tools/call", #""name":"echo""#, "mcp-name header appears more than once"),
    ] as [([(name: String, value: String)], String, String, String?)])
    func routingRule(lines: [(name: String, value: String)], method: String, params: String, message: String?) throws {
        let refusal = ModernHeaderCheck.routing(ModernRequestHeaders(lines), request: try F.request(method, params))
        #expect(refusal?.message == message)
        if let refusal {
            #expect(refusal.code.rawValue == -32020)
            #expect(refusal.httpStatus == 400)
        }
    }

    @Test(arguments: [
        #"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#,
        #"{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{}}"#,
        #"{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":20260728}}}"#,
        #"{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2025-11-25"}}}"#,
    ])
    func aBodyWithoutTheHeadersVersionIsAMismatch(json: String) throws {
        let refusal = ModernHeaderCheck.routing(F.headers(method: "tools/list", name: nil), request: try F.message(json))
        #expect(refusal == ModernHeaderRefusal(.protocolVersion))
    }

    /// The exact bodies the SDK answers (era-2026.md §2.3, ids 3, 4 and 5).
    @Test func errorBodiesMatchTheSDK() throws {
        let version = ModernHeaderCheck.routing(
            ModernRequestHeaders([(name: "MCP-Protocol-Version", value: "2025-11-25"), (name: "Mcp-Method", value: "tools/list")]),
            request: try F.request("tools/list", id: 3))
        #expect(version.map { String(buffer: $0.errorResponse(idBytes: Array("3".utf8))) }
            == #"{"jsonrpc":"2.0","id":3,"error":{"code":-32020,"message":"mcp-protocol-version header does not match the request envelope's protocol version"}}"#)
        let method = try #require(ModernHeaderCheck.routing(F.headers(method: "prompts/list", name: nil), request: try F.request("tools/list", id: 4)))
        #expect(String(buffer: method.errorResponse(idBytes: Array("4".utf8)))
            == #"{"jsonrpc":"2.0","id":4,"error":{"code":-32020,"message":"mcp-method header does not match the request body's method"}}"#)
        let name = try #require(ModernHeaderCheck.routing(F.headers(name: "other"), request: try F.call("{}")))
        #expect(String(buffer: name.errorResponse(idBytes: Array("5".utf8)))
            == #"{"jsonrpc":"2.0","id":5,"error":{"code":-32020,"message":"mcp-name header does not match the request body's 'name' parameter"}}"#)
    }

    @Test func checkRunsRoutingBeforeParams() throws {
        let annotations = try F.deployAnnotations()
        // Both rungs fail: the routing refusal is the one reported.
        let refusal = ModernHeaderCheck.check(
            F.headers(name: "wrong"), request: try F.call(#"{"region":"eu"}"#), annotations: annotations)
        #expect(refusal == ModernHeaderRefusal(.name(key: "name")))
        // Routing passes, params fail.
        let params = ModernHeaderCheck.check(F.headers(), request: try F.call(#"{"region":"eu"}"#), annotations: annotations)
        #expect(params == ModernHeaderRefusal(.paramMissing(header: "Mcp-Param-Region", argument: "region")))
        // Without annotations only routing runs.
        #expect(ModernHeaderCheck.check(F.headers(), request: try F.call(#"{"region":"eu"}"#), annotations: nil) == nil)
    }
}
