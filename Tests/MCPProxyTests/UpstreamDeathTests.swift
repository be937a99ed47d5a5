import JSONRPC
import MCPProxy
import XCTest

/// An upstream process that exits while it has work in flight.
final class UpstreamDeathTests: XCTestCase {
    func testDeathAnswersPendingRequestsOnceCancelsServerRequestsAndLeavesOthersWorking() async throws {
        let alpha = FakeUpstream("alpha")
        alpha.setTools(["slow"])
        alpha.on("tools/call") { _, _ in .none }
        let beta = FakeUpstream("beta")
        beta.setTools(["fast"])
        beta.on("tools/call") { _, _ in .result(#"{"content":[{"type":"text","text":"beta ok"}]}"#) }
        // Short timeout: a request the death did not clear would also time out, and be answered twice.
        let options = ProxyOptions.testing { $0.requestTimeout = .milliseconds(300) }
        try await withProxy([alpha, beta], options: options) { harness in
            let client = harness.client
            try await harness.initialize(capabilities: #"{"sampling":{}}"#)
            let names = try await harness.listAll("tools/list", key: "tools")
            XCTAssertEqual(names, ["alpha__slow", "beta__fast"])

            client.push(ProxyHarness.requestText("tools/call", params: #"{"name":"alpha__slow","arguments":{}}"#, id: #""d1""#))
            client.push(ProxyHarness.requestText("tools/call", params: #"{"name":"alpha__slow","arguments":{}}"#, id: #""d2""#))
            try await alpha.waitForRequests("tools/call", count: 2)
            alpha.send(ServerToClientTests.sampling(id: #""s-9""#))
            let sampling = try await client.waitFor("the sampling request") { $0.method == "sampling/createMessage" }
            let proxyID = try XCTUnwrap(sampling.id)

            alpha.die()

            for id in ["d1", "d2"] {
                let response = try await client.response(to: .string(id))
                XCTAssertEqual(response.errorCode, -32000, response.raw)
            }
            let cancelled = try await client.waitFor("cancellation of the orphaned sampling request") { $0.method == "notifications/cancelled" }
            XCTAssertEqual(cancelled.params?["requestId"], proxyID, cancelled.raw)
            try await client.waitFor("tools/list_changed") { $0.method == "notifications/tools/list_changed" }

            // The other upstream keeps working, and the dead one's tools are gone.
            let fast = try await harness.request("tools/call", params: #"{"name":"beta__fast","arguments":{}}"#)
            XCTAssertEqual(fast.result?["content"]?.arrayValue.first?["text"]?.stringValue, "beta ok", fast.raw)
            let remaining = try await harness.listAll("tools/list", key: "tools")
            XCTAssertEqual(remaining, ["beta__fast"])
            let gone = try await harness.request("tools/call", params: #"{"name":"alpha__slow","arguments":{}}"#)
            XCTAssertNotNil(gone.error, gone.raw)

            // Past the request timeout, still exactly one answer each.
            try await Task.sleep(for: .milliseconds(900))
            for id in ["d1", "d2"] {
                XCTAssertEqual(client.responses(to: .string(id)).count, 1, "\(id): \(client.received)")
            }
            XCTAssertEqual(client.received.filter { $0.method == "notifications/cancelled" }.count, 1)
        }
    }

    func testDeathDuringItsListLeavesTheMergedListToTheOthers() async throws {
        let alpha = FakeUpstream("alpha")
        alpha.on("tools/list") { _, _ in .none }
        let beta = FakeUpstream("beta")
        beta.setTools(["fast"])
        try await withProxy([alpha, beta]) { harness in
            try await harness.initialize()
            harness.client.push(ProxyHarness.requestText("tools/list", id: #""list""#))
            try await alpha.firstRequest("tools/list")
            alpha.die()
            let response = try await harness.client.response(to: .string("list"))
            XCTAssertEqual(response.result?["tools"]?.arrayValue.compactMap { $0["name"]?.stringValue }, ["beta__fast"], response.raw)
        }
    }

    func testDeathDuringTheHandshakeDoesNotHoldUpInitialize() async throws {
        let alpha = FakeUpstream("alpha")
        alpha.on("initialize") { _, _ in .none }
        let beta = FakeUpstream("beta", capabilities: #"{"prompts":{}}"#)
        try await withProxy([alpha, beta]) { harness in
            harness.client.push(ProxyHarness.initializeRequest(id: "1"))
            try await alpha.firstRequest("initialize")
            alpha.die()
            // The initialize timeout is 5 s; the answer must not wait for it.
            let response = try await harness.client.response(to: .int(1), timeout: .seconds(2))
            XCTAssertEqual(response.result?["capabilities"]?.objectKeys, ["prompts"], response.raw)
        }
    }

    func testClientAnswerToACancelledServerRequestGoesNowhere() async throws {
        let alpha = FakeUpstream("alpha")
        let beta = FakeUpstream("beta")
        try await withProxy([alpha, beta]) { harness in
            try await harness.initialize(capabilities: #"{"sampling":{}}"#)
            alpha.send(ServerToClientTests.sampling(id: "1"))
            let request = try await harness.client.waitFor("the sampling request") { $0.method == "sampling/createMessage" }
            alpha.die()
            try await harness.client.waitFor("the cancellation") { $0.method == "notifications/cancelled" }
            harness.client.push(#"{"jsonrpc":"2.0","id":\#(request.id?.text ?? "null"),"result":\#(ServerToClientTests.samplingResult(model: "m"))}"#)
            _ = try await harness.request("ping")
            XCTAssertTrue(alpha.received.filter(\.isResponse).isEmpty)
            XCTAssertTrue(beta.received.filter(\.isResponse).isEmpty, "an answer must never reach another upstream: \(beta.received)")
        }
    }
}
