import JSONRPC
import MCPProxy
import XCTest

/// A 2026-07-28 client in front of a handshake-era upstream that asks a question during a call
/// (SessionModernBridge.swift): the client is answered `input_required`, the upstream call is
/// held, and the client's retry continues it.
final class ModernInputBridgeTests: XCTestCase {
    static func envelope(_ capabilities: String) -> String {
        #"{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":\#(capabilities),"io.modelcontextprotocol/clientInfo":{"name":"unit","version":"1"}}"#
    }

    static func call(_ extra: String = "", capabilities: String = #"{"elicitation":{"form":{}}}"#) -> String {
        #"{"name":"alpha__ask","arguments":{}\#(extra),"_meta":\#(envelope(capabilities))}"#
    }

    static let question = #"{"jsonrpc":"2.0","id":"q-1","method":"elicitation/create","params":{"message":"Name?","requestedSchema":{"type":"object","properties":{"name":{"type":"string"}}}}}"#

    /// The tool call as the upstream got it, once the client asked.
    func startHeldCall(_ harness: ProxyHarness, alpha: FakeUpstream, id: String = "1") async throws -> (upstreamID: JSONValue, state: String, key: String) {
        harness.client.push(ProxyHarness.requestText("tools/call", params: Self.call(), id: id))
        let forwarded = try await alpha.firstRequest("tools/call")
        XCTAssertNil(forwarded.params?["_meta"]?["io.modelcontextprotocol/protocolVersion"],
                     "a handshake-era upstream gets no 2026-07-28 envelope: \(forwarded.raw)")
        alpha.send(Self.question)
        let interim = try await harness.client.response(to: try JSONValue(parsing: Array(id.utf8)), timeout: .seconds(5))
        XCTAssertEqual(interim.result?["resultType"]?.stringValue, "input_required", interim.raw)
        let requests = try XCTUnwrap(interim.result?["inputRequests"], interim.raw)
        let key = try XCTUnwrap(requests.objectKeys.first)
        XCTAssertEqual(requests[key]?["method"]?.stringValue, "elicitation/create")
        XCTAssertEqual(requests[key]?["params"]?["message"]?.stringValue, "Name?")
        let state = try XCTUnwrap(interim.result?["requestState"]?.stringValue)
        XCTAssertTrue(state.hasPrefix("mcpproxy1."), state)
        return (try XCTUnwrap(forwarded.id), state, key)
    }

    func testTheRetryAnswersTheUpstreamsQuestionAndGetsTheCallsResult() async throws {
        let alpha = FakeUpstream("alpha")
        alpha.setTools(["ask"])
        alpha.on("tools/call") { _, _ in .none }
        try await withProxy([alpha]) { harness in
            let (upstreamID, state, key) = try await startHeldCall(harness, alpha: alpha)
            let answer = #"{"action":"accept","content":{"name":"Ada"}}"#
            harness.client.push(ProxyHarness.requestText("tools/call", params: Self.call(#","inputResponses":{"\#(key)":\#(answer)},"requestState":"\#(state)""#), id: "2"))
            let given = try await alpha.waitFor("the answer to the question") { $0.isResponse && $0.id == .string("q-1") }
            XCTAssertEqual(given.result?["content"]?["name"]?.stringValue, "Ada", given.raw)
            XCTAssertEqual(alpha.received("tools/call").count, 1, "the call is not sent again: it was held")
            alpha.send(#"{"jsonrpc":"2.0","id":\#(upstreamID.text),"result":{"content":[{"type":"text","text":"hello Ada"}]}}"#)
            let final = try await harness.client.response(to: .int(2), timeout: .seconds(5))
            XCTAssertEqual(final.result?["resultType"]?.stringValue, "complete", final.raw)
            XCTAssertEqual(final.result?["content"]?.arrayValue.first?["text"]?.stringValue, "hello Ada")
            XCTAssertEqual(harness.client.received.filter { $0.id == .int(1) }.count, 1, "the first request got one answer only")
        }
    }

    func testAnAnswerThatCameWhileHeldGoesToTheRetry() async throws {
        let alpha = FakeUpstream("alpha")
        alpha.setTools(["ask"])
        alpha.on("tools/call") { _, _ in .none }
        try await withProxy([alpha]) { harness in
            let (upstreamID, state, key) = try await startHeldCall(harness, alpha: alpha)
            alpha.send(#"{"jsonrpc":"2.0","id":\#(upstreamID.text),"result":{"content":[{"type":"text","text":"gave up waiting"}]}}"#)
            try await Task.sleep(for: .milliseconds(100))
            XCTAssertEqual(harness.client.received.filter { $0.id == .int(1) }.count, 1, "nothing more for the answered request")
            let retry = try await harness.request("tools/call", params: Self.call(#","inputResponses":{"\#(key)":{"action":"decline"}},"requestState":"\#(state)""#), id: "2")
            XCTAssertEqual(retry.result?["content"]?.arrayValue.first?["text"]?.stringValue, "gave up waiting", retry.raw)
        }
    }

    func testAnAlteredOrSpentStateIsRefusedWithInvalidParams() async throws {
        let alpha = FakeUpstream("alpha")
        alpha.setTools(["ask"])
        alpha.on("tools/call") { _, _ in .none }
        try await withProxy([alpha]) { harness in
            let (upstreamID, state, key) = try await startHeldCall(harness, alpha: alpha)
            var altered = Array(state.utf8)
            altered[12] = altered[12] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
            let refused = try await harness.request("tools/call", params: Self.call(#","inputResponses":{},"requestState":"\#(String(decoding: altered, as: UTF8.self))""#), id: "2")
            XCTAssertEqual(refused.errorCode, -32602, refused.raw)
            // The genuine state still continues the call.
            harness.client.push(ProxyHarness.requestText("tools/call", params: Self.call(#","inputResponses":{"\#(key)":{"action":"cancel"}},"requestState":"\#(state)""#), id: "3"))
            _ = try await alpha.waitFor("the answer") { $0.isResponse && $0.id == .string("q-1") }
            alpha.send(#"{"jsonrpc":"2.0","id":\#(upstreamID.text),"result":{"content":[]}}"#)
            _ = try await harness.client.response(to: .int(3), timeout: .seconds(5))
            let spent = try await harness.request("tools/call", params: Self.call(#","inputResponses":{},"requestState":"\#(state)""#), id: "4")
            XCTAssertEqual(spent.errorCode, -32602, spent.raw)
            XCTAssertTrue(spent.error?["message"]?.stringValue?.contains("gone") == true, spent.raw)
        }
    }

    func testAClientWithoutTheCapabilityGetsMissingCapabilityAndTheCallIsCancelled() async throws {
        let alpha = FakeUpstream("alpha")
        alpha.setTools(["ask"])
        alpha.on("tools/call") { _, _ in .none }
        try await withProxy([alpha]) { harness in
            harness.client.push(ProxyHarness.requestText("tools/call", params: Self.call(capabilities: #"{"roots":{}}"#), id: "1"))
            let forwarded = try await alpha.firstRequest("tools/call")
            alpha.send(Self.question)
            let refused = try await harness.client.response(to: .int(1), timeout: .seconds(5))
            XCTAssertEqual(refused.errorCode, -32021, refused.raw)
            XCTAssertNotNil(refused.error?["data"]?["requiredCapabilities"]?["elicitation"]?["form"], refused.raw)
            let refusal = try await alpha.waitFor("the question refused") { $0.isResponse && $0.id == .string("q-1") }
            XCTAssertEqual(refusal.errorCode, -32601, refusal.raw)
            let cancelled = try await alpha.waitFor("the call cancelled") { $0.method == "notifications/cancelled" }
            XCTAssertEqual(cancelled.params?["requestId"], forwarded.id, cancelled.raw)
        }
    }
}
