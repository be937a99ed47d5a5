import JSONRPC
import MCPProxy
import XCTest

/// The client's `initialize`: what upstreams are told, what the client is told, and ordering.
final class HandshakeTests: XCTestCase {
    func testMergedCapabilitiesComeOnlyFromReadyUpstreams() async throws {
        let alpha = FakeUpstream("alpha", capabilities: #"{"tools":{"listChanged":true}}"#, instructions: "Use alpha for math.")
        let beta = FakeUpstream("beta", capabilities: #"{"prompts":{},"resources":{"subscribe":true}}"#, instructions: "Beta knows files.")
        // Broken: its initialize fails, so its logging and completions must not be offered.
        let broken = FakeUpstream("broken", capabilities: #"{"logging":{},"completions":{}}"#, instructions: "never shown")
        broken.on("initialize") { _, _ in .error(code: -32603, message: "boom") }
        // Answers with a version the proxy does not speak: not ready either.
        let ancient = FakeUpstream("ancient", capabilities: #"{"logging":{}}"#, instructions: "never shown", protocolVersion: "2023-01-01")
        let options = ProxyOptions.testing { $0.instructions = "Proxy rules." }
        try await withProxy([alpha, beta, broken, ancient], options: options) { harness in
            let response = try await harness.initialize()
            let result = try XCTUnwrap(response.result, response.raw)
            let capabilities = try XCTUnwrap(result["capabilities"])
            XCTAssertEqual(capabilities.objectKeys, ["prompts", "resources", "tools"], capabilities.text)
            XCTAssertEqual(capabilities["tools"]?["listChanged"], .bool(true))
            XCTAssertEqual(capabilities["resources"]?["subscribe"], .bool(true))
            XCTAssertNil(capabilities["logging"])
            XCTAssertNil(capabilities["completions"])
            XCTAssertEqual(result["instructions"]?.stringValue,
                           "Proxy rules.\n\n## alpha\nUse alpha for math.\n\n## beta\nBeta knows files.")
            XCTAssertEqual(result["serverInfo"]?["name"]?.stringValue, "mcp-proxy")
            // Upstreams that failed the handshake are not offered calls.
            _ = try await harness.request("tools/list")
            XCTAssertTrue(broken.received("tools/list").isEmpty)
            XCTAssertTrue(ancient.received("tools/list").isEmpty)
        }
    }

    func testUpstreamRequestsBeforeTheInitializeAnswerAreHeldUntilAfterIt() async throws {
        let early = FakeUpstream("early")
        let slow = FakeUpstream("slow")
        slow.on("initialize") { _, _ in
            .delayed(.milliseconds(200), .result(#"{"protocolVersion":"2025-11-25","capabilities":{"tools":{}},"serverInfo":{"name":"s","version":"1"}}"#))
        }
        try await withProxy([early, slow]) { harness in
            harness.client.push(ProxyHarness.initializeRequest(id: "1", capabilities: #"{"roots":{}}"#))
            // `early` is ready while `slow` still holds up the client's answer; it asks for roots now.
            try await early.waitFor("notifications/initialized") { $0.method == "notifications/initialized" }
            early.send(#"{"jsonrpc":"2.0","id":"r-1","method":"roots/list"}"#)
            let roots = try await harness.client.waitFor("the roots request") { $0.method == "roots/list" }
            let order = harness.client.received.map { $0.method ?? "response \($0.id?.text ?? "")" }
            XCTAssertEqual(order.first, "response 1", "the initialize answer must come before any upstream request: \(order)")
            harness.client.push(#"{"jsonrpc":"2.0","id":\#(roots.id?.text ?? "null"),"result":{"roots":[{"uri":"file:///w"}]}}"#)
            let answer = try await early.waitFor("the roots answer") { $0.isResponse }
            XCTAssertEqual(answer.id, .string("r-1"), answer.raw)
            XCTAssertEqual(answer.result?["roots"]?.arrayValue.count, 1)
        }
    }

    func testDisconnectingClientStopsEveryUpstreamAndServeReturns() async throws {
        let alpha = FakeUpstream("alpha")
        let beta = FakeUpstream("beta")
        let harness = try await ProxyHarness.start([alpha, beta])
        try await harness.initialize()
        let stopped = await harness.stop()
        XCTAssertTrue(stopped, "serve must return after the client disconnects")
        XCTAssertEqual(alpha.transportsClosed, 1)
        XCTAssertEqual(beta.transportsClosed, 1)
        XCTAssertTrue(harness.client.closedByProxy)
    }

    func testClientWithoutSamplingDeclaresNothingUpstream() async throws {
        let alpha = FakeUpstream("alpha")
        try await withProxy([alpha]) { harness in
            try await harness.initialize(capabilities: "{}")
            let initialize = try XCTUnwrap(alpha.received("initialize").first)
            let declared = try XCTUnwrap(initialize.params?["capabilities"], initialize.raw)
            XCTAssertEqual(declared.objectKeys, [], "the proxy declared \(declared.text) for a client that declared nothing")
            XCTAssertEqual(initialize.params?["protocolVersion"]?.stringValue, ProtocolVersion.latestHandshake.rawValue)
            // The handshake is completed with notifications/initialized.
            try await alpha.waitFor("notifications/initialized") { $0.method == "notifications/initialized" }
        }
    }

    func testClientSamplingAndRootsAreDeclaredExactlyUpstream() async throws {
        let alpha = FakeUpstream("alpha")
        try await withProxy([alpha]) { harness in
            try await harness.initialize(capabilities: #"{"sampling":{},"roots":{"listChanged":true},"experimental":{"x":{}}}"#)
            let initialize = try XCTUnwrap(alpha.received("initialize").first)
            let declared = try XCTUnwrap(initialize.params?["capabilities"], initialize.raw)
            XCTAssertEqual(declared.objectKeys, ["roots", "sampling"], declared.text)
            XCTAssertEqual(declared["roots"], .object(["listChanged": .bool(true)]))
            XCTAssertEqual(declared["sampling"], .object([:]))
        }
    }

    func testUnsupportedRequestedVersionGetsNewestHandshakeVersion() async throws {
        try await withProxy([FakeUpstream("alpha")]) { harness in
            let response = try await harness.initialize(version: "1999-01-01")
            XCTAssertEqual(response.result?["protocolVersion"]?.stringValue, ProtocolVersion.latestHandshake.rawValue)
        }
    }

    func testSupportedRequestedVersionIsEchoed() async throws {
        try await withProxy([FakeUpstream("alpha")]) { harness in
            let response = try await harness.initialize(version: "2025-03-26")
            XCTAssertEqual(response.result?["protocolVersion"]?.stringValue, "2025-03-26")
        }
    }

    func testMessagesPipelinedBehindInitializeAreAnsweredAfterItInOrder() async throws {
        let alpha = FakeUpstream("alpha")
        alpha.setTools(["add"])
        // A slow handshake keeps the session in `initializing` while the client pipelines.
        alpha.on("initialize") { _, _ in
            .delayed(.milliseconds(150), .result(#"{"protocolVersion":"2025-11-25","capabilities":{"tools":{}},"serverInfo":{"name":"a","version":"1"}}"#))
        }
        alpha.on("tools/call") { _, _ in .result(#"{"content":[{"type":"text","text":"3"}]}"#) }
        try await withProxy([alpha]) { harness in
            let client = harness.client
            client.push(ProxyHarness.initializeRequest(id: "1"))
            client.push(#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#)
            client.push(ProxyHarness.requestText("no/such-method", id: "2"))
            client.push(ProxyHarness.requestText("tools/list", id: "3"))
            client.push(ProxyHarness.requestText("also/unknown", id: "4"))
            client.push(ProxyHarness.requestText("tools/call", params: #"{"name":"alpha__add","arguments":{}}"#, id: "5"))
            for id in 2...5 { try await client.response(to: .int(Int64(id))) }
            let order = client.received.filter(\.isResponse).compactMap { $0.id?.intValue }
            XCTAssertEqual(order.first, 1, "initialize must be answered first: \(order)")
            XCTAssertEqual(Set(order), [1, 2, 3, 4, 5])
            XCTAssertLessThan(try XCTUnwrap(order.firstIndex(of: 2)), try XCTUnwrap(order.firstIndex(of: 4)), "\(order)")
            XCTAssertEqual(client.responses(to: .int(2)).first?.errorCode, -32601)
            XCTAssertEqual(client.responses(to: .int(3)).first?.result?["tools"]?.arrayValue.count, 1)
            XCTAssertNotNil(client.responses(to: .int(5)).first?.result, "\(client.received)")
            XCTAssertEqual(client.received.filter(\.isResponse).count, 5, "each request answered once: \(client.received)")
        }
    }

    func testRequestsBeforeInitializeAndASecondInitializeAreRefused() async throws {
        let alpha = FakeUpstream("alpha")
        alpha.setTools(["t"])
        try await withProxy([alpha]) { harness in
            let early = try await harness.request("tools/list")
            XCTAssertEqual(early.errorCode, -32600, early.raw)
            XCTAssertTrue(alpha.received("tools/list").isEmpty)
            let pong = try await harness.request("ping")
            XCTAssertEqual(pong.result, .object([:]), "ping is allowed before initialize")
            try await harness.initialize(id: "1")
            let again = try await harness.request("initialize", params: #"{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"x","version":"1"}}"#)
            XCTAssertEqual(again.errorCode, -32600, again.raw)
            XCTAssertEqual(alpha.received("initialize").count, 1)
        }
    }
}
