import JSONRPC
import NIOCore
import Testing

/// Exact JSON from /work/notes/era-2026.md (captured from the Python SDK 2.3.0) and helpers
/// for the modern-era tests.
enum ModernFixtures {
    /// The SDK client's envelope (§2.8, §4).
    static let envelope =
        #"{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientInfo":{"name":"probe-client","version":"0.1"},"io.modelcontextprotocol/clientCapabilities":{"elicitation":{"form":{},"url":{}}}}"#

    /// §2.8: the discover request.
    static let discoverRequest =
        #"{"jsonrpc":"2.0","id":1,"method":"server/discover","params":{"_meta":"# + envelope + "}}"

    /// §2.8: the SDK's discover response.
    static let discoverResponse =
        #"{"jsonrpc":"2.0","id":1,"result":{"cacheScope":"private","capabilities":{"prompts":{"listChanged":true},"resources":{"listChanged":true,"subscribe":true},"tools":{"listChanged":true}},"instructions":"Demo server for era notes.","resultType":"complete","supportedVersions":["2026-07-28"],"ttlMs":0,"_meta":{"io.modelcontextprotocol/serverInfo":{"name":"era-demo","version":"1.0.0"}}}}"#

    /// §4 round 1, as a handshake-era client would send it (no `_meta`).
    static let greetLegacy = #"{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"greet","arguments":{}}}"#

    /// §4 round 1, modern.
    static let greetModern =
        #"{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"greet","arguments":{},"_meta":"# + envelope + "}}"

    /// A request state token (the SDK's is an AES-GCM sealed `v1.` string of ~330 characters).
    static let requestState = "v1.ijdevyOaJj9bizLpaTk8_4eCdQm-7Xk2r_Zp0sV9wq1Lx3aH5bT7nY0cE"

    /// §4: the interim result.
    static let greetInputRequired =
        #"{"jsonrpc":"2.0","id":4,"result":{"resultType":"input_required","inputRequests":{"__main__:ask_name":{"method":"elicitation/create","params":{"message":"What is your name?","mode":"form","requestedSchema":{"properties":{"name":{"title":"Name","type":"string"}},"required":["name"],"type":"object"}}}},"requestState":""#
        + requestState + #"","_meta":{"io.modelcontextprotocol/serverInfo":{"name":"era-demo","version":"1.0.0"}}}}"#

    /// §4: the inputResponses of round 2.
    static let greetInputResponses = #"{"__main__:ask_name":{"action":"accept","content":{"name":"Ada"}}}"#

    /// §4 round 2: the retry.
    static let greetRetry =
        #"{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"inputResponses":"# + greetInputResponses
        + #","requestState":""# + requestState + #"","name":"greet","arguments":{},"_meta":"# + envelope + "}}"

    /// §4: the final result.
    static let greetFinal =
        #"{"jsonrpc":"2.0","id":5,"result":{"content":[{"text":"Hello, Ada!","type":"text"}],"isError":false,"resultType":"complete","structuredContent":{"result":"Hello, Ada!"},"_meta":{"io.modelcontextprotocol/serverInfo":{"name":"era-demo","version":"1.0.0"}}}}"#

    /// §6: a modern resources/read result (already complete).
    static let readResult =
        #"{"jsonrpc":"2.0","id":6,"result":{"cacheScope":"private","contents":[{"mimeType":"text/plain","text":"read me","uri":"demo://readme"}],"resultType":"complete","ttlMs":0,"_meta":{"io.modelcontextprotocol/serverInfo":{"name":"era-demo","version":"1.0.0"}}}}"#

    /// §8.4: a modern request with a progress token after the envelope.
    static let slowModern =
        #"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"slow","arguments":{"seconds":5},"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientInfo":{"name":"probe-client","version":"0.1"},"io.modelcontextprotocol/clientCapabilities":{"elicitation":{"form":{},"url":{}}},"progressToken":1}}}"#

    /// The same request from a handshake-era client.
    static let slowLegacy =
        #"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"slow","arguments":{"seconds":5},"_meta":{"progressToken":1}}}"#

    /// The SDK client's values, for building envelopes.
    static let probeValues = ModernRequestEnvelope.Values(
        protocolVersion: .v2026_07_28,
        capabilities: ClientCapabilities(raw: ["elicitation": ["form": [:], "url": [:]]]),
        clientInfo: Implementation(name: "probe-client", version: "0.1"))
}

/// Scans one message (throws on invalid input, failing the test).
func modernMessage(_ text: String) throws -> JSONRPCMessage {
    try JSONRPCScanner().scanMessage(ByteBuffer(string: text))
}

/// Applies the splices with the strict splicer (throws on overlap) and returns the text; the
/// result must scan as one valid message.
func applied(_ edits: [ByteSplice], to message: JSONRPCMessage) throws -> String {
    let out = try message.validatedSplicing(edits)
    _ = try JSONRPCScanner().scanMessage(out)
    return String(buffer: out)
}
