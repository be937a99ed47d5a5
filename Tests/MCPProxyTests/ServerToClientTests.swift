import JSONRPC
import MCPProxy
import XCTest

/// Requests upstreams send to the client: sampling, elicitation, and their cancellation.
final class ServerToClientTests: XCTestCase {
    static func sampling(id: String, marker: String = "hello") -> String {
        #"{"jsonrpc":"2.0","id":\#(id),"method":"sampling/createMessage","params":{"messages":[{"role":"user","content":{"type":"text","text":"hi"}}],"systemPrompt":"\#(marker)","maxTokens":10}}"#
    }

    static func samplingResult(model: String) -> String {
        #"{"role":"assistant","content":{"type":"text","text":"hello"},"model":"\#(model)"}"#
    }

    func testSamplingIsForwardedWithAProxyIDAndTheAnswerMappedBack() async throws {
        let alpha = FakeUpstream("alpha")
        try await withProxy([alpha]) { harness in
            try await harness.initialize(capabilities: #"{"sampling":{}}"#)
            alpha.send(Self.sampling(id: #""s-1""#))
            let request = try await harness.client.waitFor("sampling request") { $0.method == "sampling/createMessage" }
            let proxyID = try XCTUnwrap(request.id?.intValue, "the client sees the proxy's integer id: \(request.raw)")
            XCTAssertFalse(request.raw.contains("s-1"), request.raw)
            XCTAssertEqual(request.params?["systemPrompt"]?.stringValue, "hello")

            harness.client.push(#"{"jsonrpc":"2.0","id":\#(proxyID),"result":\#(Self.samplingResult(model: "m-1"))}"#)
            let answer = try await alpha.waitFor("the sampling answer") { $0.isResponse }
            XCTAssertTrue(answer.raw.contains(#""id":"s-1""#), "the upstream's id must come back exactly: \(answer.raw)")
            XCTAssertEqual(answer.result?["model"]?.stringValue, "m-1")

            // An error answer is mapped back the same way.
            alpha.send(Self.sampling(id: "9"))
            let second = try await harness.client.waitFor("second sampling request") { $0.method == "sampling/createMessage" && $0.id?.intValue != proxyID }
            let secondID = try XCTUnwrap(second.id?.intValue)
            harness.client.push(#"{"jsonrpc":"2.0","id":\#(secondID),"error":{"code":-1,"message":"user declined"}}"#)
            let refused = try await alpha.waitFor("the error answer") { $0.isResponse && $0.id == .int(9) }
            XCTAssertEqual(refused.errorCode, -1, refused.raw)
        }
    }

    func testSamplingIsRefusedWhenTheClientLacksTheCapability() async throws {
        let alpha = FakeUpstream("alpha")
        try await withProxy([alpha]) { harness in
            try await harness.initialize(capabilities: #"{"roots":{}}"#)
            alpha.send(Self.sampling(id: "5"))
            let refusal = try await alpha.waitFor("the refusal") { $0.isResponse && $0.id == .int(5) }
            XCTAssertEqual(refusal.errorCode, -32601, refusal.raw)
            alpha.send(IDRemappingTests.barrier)
            try await harness.client.waitFor("the barrier log message") { $0.method == "notifications/message" }
            XCTAssertTrue(harness.client.received.filter { $0.method == "sampling/createMessage" }.isEmpty)
        }
    }

    func testURLElicitationIsRefusedWhenOnlyFormModeIsDeclared() async throws {
        let alpha = FakeUpstream("alpha")
        try await withProxy([alpha]) { harness in
            try await harness.initialize(capabilities: #"{"elicitation":{"form":{}}}"#)
            alpha.send(#"{"jsonrpc":"2.0","id":"e-url","method":"elicitation/create","params":{"mode":"url","message":"Sign in","url":"https://example.com/login","elicitationId":"abc"}}"#)
            let refusal = try await alpha.waitFor("the refusal") { $0.isResponse && $0.id == .string("e-url") }
            XCTAssertEqual(refusal.errorCode, -32602, refusal.raw)

            alpha.send(#"{"jsonrpc":"2.0","id":"e-form","method":"elicitation/create","params":{"mode":"form","message":"Name?","requestedSchema":{"type":"object","properties":{}}}}"#)
            let forwarded = try await harness.client.waitFor("the form elicitation") { $0.method == "elicitation/create" }
            XCTAssertEqual(forwarded.params?["mode"]?.stringValue, "form")
            XCTAssertEqual(harness.client.received.filter { $0.method == "elicitation/create" }.count, 1)
        }
    }

    func testUpstreamCancellingItsRequestCancelsItAtTheClientWithTheProxyID() async throws {
        let alpha = FakeUpstream("alpha")
        try await withProxy([alpha]) { harness in
            try await harness.initialize(capabilities: #"{"sampling":{}}"#)
            alpha.send(Self.sampling(id: #""s-2""#))
            let request = try await harness.client.waitFor("sampling request") { $0.method == "sampling/createMessage" }
            let proxyID = try XCTUnwrap(request.id)

            alpha.send(#"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":"s-2","reason":"no longer needed"}}"#)
            let cancelled = try await harness.client.waitFor("notifications/cancelled") { $0.method == "notifications/cancelled" }
            XCTAssertEqual(cancelled.params?["requestId"], proxyID, cancelled.raw)
            XCTAssertEqual(cancelled.params?["reason"]?.stringValue, "no longer needed")

            // The client's answer after that has nobody to go to.
            harness.client.push(#"{"jsonrpc":"2.0","id":\#(proxyID.text),"result":\#(Self.samplingResult(model: "late"))}"#)
            XCTAssertTrue(alpha.received.filter(\.isResponse).isEmpty, "\(alpha.received)")
        }
    }

    func testTwoUpstreamsUsingTheSameIDEachGetTheirOwnAnswer() async throws {
        let alpha = FakeUpstream("alpha")
        let beta = FakeUpstream("beta")
        try await withProxy([alpha, beta]) { harness in
            try await harness.initialize(capabilities: #"{"sampling":{}}"#)
            alpha.send(Self.sampling(id: "7", marker: "alpha"))
            beta.send(Self.sampling(id: "7", marker: "beta"))
            let requests = try await eventually("two sampling requests at the client") { () -> [WireMessage]? in
                let found = harness.client.received.filter { $0.method == "sampling/createMessage" }
                return found.count == 2 ? found : nil
            }
            XCTAssertNotEqual(requests[0].id, requests[1].id, "each gets its own proxy id")
            // Answer in reverse order, each with the marker of the upstream that asked.
            for request in requests.reversed() {
                let marker = request.params?["systemPrompt"]?.stringValue ?? "?"
                harness.client.push(#"{"jsonrpc":"2.0","id":\#(request.id?.text ?? "null"),"result":\#(Self.samplingResult(model: marker))}"#)
            }
            for upstream in [alpha, beta] {
                let answer = try await upstream.waitFor("its answer") { $0.isResponse }
                XCTAssertEqual(answer.id, .int(7), answer.raw)
                XCTAssertEqual(answer.result?["model"]?.stringValue, upstream.name, answer.raw)
                XCTAssertEqual(upstream.received.filter(\.isResponse).count, 1)
            }
        }
    }

    func testUpstreamPingIsAnsweredByTheProxy() async throws {
        let alpha = FakeUpstream("alpha")
        try await withProxy([alpha]) { harness in
            try await harness.initialize()
            alpha.send(#"{"jsonrpc":"2.0","id":"p\u0021","method":"ping"}"#)
            let pong = try await alpha.waitFor("the ping answer") { $0.isResponse }
            XCTAssertTrue(pong.raw.contains(#""id":"p\u0021""#), pong.raw)
            XCTAssertEqual(pong.result, .object([:]))
            XCTAssertTrue(harness.client.received.filter { $0.method == "ping" }.isEmpty)
        }
    }

    static func samplingWithProgress(id: String, token: String, marker: String) -> String {
        #"{"jsonrpc":"2.0","id":\#(id),"method":"sampling/createMessage","params":{"_meta":{"progressToken":\#(token)},"messages":[],"systemPrompt":"\#(marker)","maxTokens":10}}"#
    }

    /// Progress the client reports for a request an upstream sent it belongs to that upstream only.
    func testClientProgressReachesOnlyTheUpstreamThatAsked() async throws {
        let alpha = FakeUpstream("alpha")
        let beta = FakeUpstream("beta")
        try await withProxy([alpha, beta]) { harness in
            try await harness.initialize(capabilities: #"{"sampling":{}}"#)
            alpha.send(Self.samplingWithProgress(id: "1", token: #""pa""#, marker: "alpha"))
            beta.send(Self.samplingWithProgress(id: "1", token: #""pb""#, marker: "beta"))
            let requests = try await eventually("two sampling requests at the client") { () -> [WireMessage]? in
                let found = harness.client.received.filter { $0.method == "sampling/createMessage" }
                return found.count == 2 ? found : nil
            }
            let fromAlpha = try XCTUnwrap(requests.first { $0.params?["systemPrompt"]?.stringValue == "alpha" })
            let token = try XCTUnwrap(fromAlpha.params?["_meta"]?["progressToken"], fromAlpha.raw)
            harness.client.push(#"{"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":\#(token.text),"progress":1}}"#)
            let progress = try await alpha.waitFor("the client's progress") { $0.method == "notifications/progress" }
            XCTAssertEqual(progress.params?["progressToken"], .string("pa"), progress.raw)
            _ = try await harness.request("ping")
            XCTAssertTrue(beta.received("notifications/progress").isEmpty,
                          "progress for alpha's request leaked to beta: \(beta.received("notifications/progress").map(\.raw))")
        }
    }

    /// Two upstreams may pick the same progress token; the client must be able to tell them apart.
    func testSameProgressTokenFromTwoUpstreamsIsDisambiguated() async throws {
        let alpha = FakeUpstream("alpha")
        let beta = FakeUpstream("beta")
        try await withProxy([alpha, beta]) { harness in
            try await harness.initialize(capabilities: #"{"sampling":{}}"#)
            alpha.send(Self.samplingWithProgress(id: "1", token: "5", marker: "alpha"))
            beta.send(Self.samplingWithProgress(id: "1", token: "5", marker: "beta"))
            let requests = try await eventually("two sampling requests at the client") { () -> [WireMessage]? in
                let found = harness.client.received.filter { $0.method == "sampling/createMessage" }
                return found.count == 2 ? found : nil
            }
            let tokens = requests.compactMap { $0.params?["_meta"]?["progressToken"] }
            XCTAssertEqual(tokens.count, 2)
            XCTAssertNotEqual(tokens.first, tokens.last, "the client sees one token for two requests: \(requests.map(\.raw))")
            let fromBeta = try XCTUnwrap(requests.first { $0.params?["systemPrompt"]?.stringValue == "beta" })
            let token = try XCTUnwrap(fromBeta.params?["_meta"]?["progressToken"])
            harness.client.push(#"{"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":\#(token.text),"progress":1}}"#)
            let progress = try await beta.waitFor("the client's progress") { $0.method == "notifications/progress" }
            XCTAssertEqual(progress.params?["progressToken"], .int(5), "beta gets its own token back: \(progress.raw)")
            _ = try await harness.request("ping")
            XCTAssertTrue(alpha.received("notifications/progress").isEmpty, "\(alpha.received("notifications/progress").map(\.raw))")
        }
    }
}
