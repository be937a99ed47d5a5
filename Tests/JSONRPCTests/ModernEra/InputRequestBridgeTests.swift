import JSONRPC
import NIOCore
import Testing

/// Converting between MRTR input requests and handshake-era server-to-client requests (era-2026.md §4).
@Suite struct InputRequestBridgeTests {
    /// §4 "same tool, legacy era": the interim result's entry becomes the SDK's elicitation request.
    @Test func inputRequestBecomesAHandshakeRequest() throws {
        let interim = try modernMessage(ModernFixtures.greetInputRequired)
        let entry = try #require(InputRequiredResult.read(interim)?.requests.first)
        let request = try #require(InputRequestBridge.request(for: entry, in: interim, idBytes: Array("1".utf8)))
        #expect(String(buffer: request)
            == #"{"jsonrpc":"2.0","id":1,"method":"elicitation/create","params":{"message":"What is your name?","mode":"form","requestedSchema":{"properties":{"name":{"title":"Name","type":"string"}},"required":["name"],"type":"object"}}}"#)
        let roots = try modernMessage(#"{"jsonrpc":"2.0","id":4,"result":{"resultType":"input_required","inputRequests":{"r":{"method":"roots/list"},"x":{"params":{}}}}}"#)
        let entries = try #require(InputRequiredResult.read(roots)?.requests)
        #expect(InputRequestBridge.request(for: entries[0], in: roots, idBytes: Array(#""s1""#.utf8)).map { String(buffer: $0) }
            == #"{"jsonrpc":"2.0","id":"s1","method":"roots/list"}"#)
        #expect(InputRequestBridge.request(for: entries[1], in: roots, idBytes: Array("2".utf8)) == nil)
    }

    /// The reverse: a handshake upstream's elicitation request and the client's answer become an
    /// `input_required` result and the `inputResponses` of the retry.
    @Test func handshakeRequestBecomesAnInputRequest() throws {
        let upstream = try modernMessage(
            #"{"jsonrpc":"2.0","id":1,"method":"elicitation/create","params":{"mode":"form","message":"What is your name?","requestedSchema":{"type":"object"}}}"#)
        let value = try #require(InputRequestBridge.inputRequest(from: upstream))
        #expect(String(decoding: value, as: UTF8.self)
            == #"{"method":"elicitation/create","params":{"mode":"form","message":"What is your name?","requestedSchema":{"type":"object"}}}"#)
        let result = InputRequestBridge.inputRequiredResult(
            requests: [(key: "u1:1", value: value)], requestState: Array(#""st""#.utf8),
            serverInfo: Implementation(name: "mcp-proxy", version: "1.0").jsonBytes)
        let response = try JSONRPCScanner().scanMessage(JSONRPCEncoder.result(idBytes: Array("9".utf8), result: result))
        #expect(String(buffer: response.bytes)
            == #"{"jsonrpc":"2.0","id":9,"result":{"resultType":"input_required","inputRequests":{"u1:1":{"method":"elicitation/create","params":{"mode":"form","message":"What is your name?","requestedSchema":{"type":"object"}}}},"requestState":"st","_meta":{"io.modelcontextprotocol/serverInfo":{"name":"mcp-proxy","version":"1.0"}}}}"#)
        // It reads back as what it is.
        let read = try #require(InputRequiredResult.read(response))
        #expect(read.requests.map(\.key) == ["u1:1"])
        #expect(read.requests.first?.requiredCapability == .elicitationForm)
        #expect(read.requestState == "st")
        // §4: the client's answer is the inputResponses value, as sent.
        let answer = try modernMessage(#"{"jsonrpc":"2.0","id":1,"result":{"action":"accept","content":{"name":"Ada"}}}"#)
        #expect(InputRequestBridge.inputResponse(from: answer).map { String(decoding: $0, as: UTF8.self) }
            == #"{"action":"accept","content":{"name":"Ada"}}"#)
        let refused = try modernMessage(#"{"jsonrpc":"2.0","id":1,"error":{"code":-1,"message":"no"}}"#)
        #expect(InputRequestBridge.inputResponse(from: refused) == nil)
        #expect(InputRequestBridge.inputRequest(from: answer) == nil)
    }

    @Test func minimalResults() {
        #expect(String(decoding: InputRequestBridge.inputRequiredResult(requests: [], requestState: Array(#""s""#.utf8)), as: UTF8.self)
            == #"{"resultType":"input_required","requestState":"s"}"#)
        let noParams = InputRequestBridge.inputRequiredResult(requests: [(key: "k", value: Array(#"{"method":"roots/list"}"#.utf8))], requestState: nil)
        #expect(String(decoding: noParams, as: UTF8.self) == #"{"resultType":"input_required","inputRequests":{"k":{"method":"roots/list"}}}"#)
    }
}
