import JSONRPC
import NIOCore
import Testing
@testable import MCPTransports

/// The routing headers a Streamable HTTP upstream POST carries, derived from the outgoing body
/// (OutgoingMessage + ModernPostHeaders), and a modern server's 4xx error turned into the
/// request's error response.
struct ModernPostHeadersTests {
    static let envelope = #""_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}"#
    static let regionTag = XMCPHeaderAnnotations(entries: [.init(path: ["region"], token: "Region", type: .string)])

    static func outgoing(_ text: String, annotations: [String: XMCPHeaderAnnotations] = [:]) -> OutgoingMessage {
        OutgoingMessage(ByteBuffer(string: text), scanner: JSONRPCScanner()) { annotations[$0] }
    }

    static func lines(_ message: OutgoingMessage) -> [String] {
        message.modernHeaders.map { "\($0.name): \($0.value)" }
    }

    @Test func aHandshakeEraMessageGetsNoHeadersAndAsksForNoAnnotations() {
        let asked = Box()
        let message = OutgoingMessage(
            ByteBuffer(string: #"{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"where","arguments":{"region":"eu"},"_meta":{"progressToken":1}}}"#),
            scanner: JSONRPCScanner()) { _ in asked.count += 1; return Self.regionTag }
        #expect(!message.isModern)
        #expect(message.modernHeaders.isEmpty)
        #expect(asked.count == 0)
    }

    @Test func aModernCallCarriesTheBodysVersionMethodNameAndTaggedArguments() {
        let message = Self.outgoing(
            #"{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"where","arguments":{"region":"Zürich","query":"q"},"# + Self.envelope + "}}",
            annotations: ["where": Self.regionTag])
        #expect(message.isModern)
        #expect(Self.lines(message) == [
            "MCP-Protocol-Version: 2026-07-28",
            "Mcp-Method: tools/call",
            "Mcp-Name: where",
            "Mcp-Param-Region: =?base64?WsO8cmljaA==?=",
        ])
    }

    /// The proxy rewrites a namespaced name (`up__where`) to the upstream's before sending; the
    /// header is read from those bytes, so body and `Mcp-Name` agree on the upstream name, and
    /// the tags are looked up by it.
    @Test func mcpNameAndTagsFollowTheOutgoingBody() {
        let message = Self.outgoing(
            #"{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"#  + Self.envelope + #","name":"where","arguments":{"region":"eu"}}}"#,
            annotations: ["where": Self.regionTag, "up__where": .none])
        #expect(Self.lines(message).contains("Mcp-Name: where"))
        #expect(Self.lines(message).contains("Mcp-Param-Region: eu"))
    }

    @Test(arguments: [
        (#""uri":"file:///tmp/ä.txt""#, "resources/read", "Mcp-Name: =?base64?ZmlsZTovLy90bXAvw6QudHh0?="),
        (#""name":"hello""#, "prompts/get", "Mcp-Name: hello"),
        (#""name":"=?base64?x?=""#, "tools/call", "Mcp-Name: =?base64?PT9iYXNlNjQ/eD89?="),
    ] as [(String, String, String)])
    func namesOfReadsPromptsAndUnsafeValues(params: String, method: String, expected: String) {
        let message = Self.outgoing(#"{"jsonrpc":"2.0","id":6,"method":""# + method + #"","params":{"# + params + "," + Self.envelope + "}}")
        #expect(Self.lines(message) == ["MCP-Protocol-Version: 2026-07-28", "Mcp-Method: \(method)", expected])
    }

    @Test func listsAndDiscoverCarryNoName() {
        let message = Self.outgoing(#"{"jsonrpc":"2.0","id":7,"method":"server/discover","params":{"# + Self.envelope + "}}")
        #expect(Self.lines(message) == ["MCP-Protocol-Version: 2026-07-28", "Mcp-Method: server/discover"])
    }

    /// The header always equals the body's version, whatever it is (a client's own envelope is
    /// forwarded as sent); a version that is not a string gives no headers (the upstream refuses).
    @Test func theVersionHeaderIsTheBodysVersion() {
        let later = Self.outgoing(#"{"jsonrpc":"2.0","id":8,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2027-01-01","io.modelcontextprotocol/clientCapabilities":{}}}}"#)
        #expect(Self.lines(later) == ["MCP-Protocol-Version: 2027-01-01", "Mcp-Method: tools/list"])
        let broken = Self.outgoing(#"{"jsonrpc":"2.0","id":9,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":7}}}"#)
        #expect(broken.isModern)
        #expect(broken.modernHeaders.isEmpty)
    }

    @Test func aModernErrorBodyBecomesTheRequestsErrorWithItsID() throws {
        let body = ByteBuffer(string: #"{"jsonrpc":"2.0","id":null,"error":{"code":-32022,"message":"Unsupported protocol version","data":{"supported":["2026-07-28"],"requested":"1900-01-01"}}}"#)
        let reply = try #require(ModernPostHeaders.errorReply(body, idBytes: Array("12".utf8), scanner: JSONRPCScanner()))
        #expect(String(buffer: reply) == #"{"jsonrpc":"2.0","id":12,"error":{"code":-32022,"message":"Unsupported protocol version","data":{"supported":["2026-07-28"],"requested":"1900-01-01"}}}"#)
    }

    @Test(arguments: [
        #"{"jsonrpc":"2.0","id":1,"result":{}}"#,
        #"{"detail":"bad request"}"#,
        "not json",
    ])
    func otherBodiesAreNoModernError(_ text: String) {
        #expect(ModernPostHeaders.errorReply(ByteBuffer(string: text), idBytes: Array("1".utf8), scanner: JSONRPCScanner()) == nil)
    }
}

/// A counter a closure can bump.
private final class Box: @unchecked Sendable {
    var count = 0
}
