import JSONRPC
import XCTest

/// Tests 8 and 9: requests from upstreams to the client (sampling, elicitation, roots).
final class ServerRequestTests: ProxyTestCase {
    func testSamplingRoundTripsThroughTheProxyWithProxyIds() async throws {
        let proxy = try await startInitialized(capabilities: #"{"sampling":{}}"#)
        _ = try await proxy.call("tools/list")
        try proxy.sendRequest("tools/call", params: #"{"name":"alpha__sample","arguments":{"prompt":"ping"}}"#, id: #""s-1""#)
        let request = try await proxy.serverRequest("sampling/createMessage")
        XCTAssertEqual(request.params?["messages"]?.arrayValue?.first?["content"]?["text"]?.stringValue, "ping", request.line)
        XCTAssertEqual(request.params?["maxTokens"]?.intValue, 100)
        let proxyID = try XCTUnwrap(request.idText)
        try proxy.send(#"{"jsonrpc":"2.0","id":\#(proxyID),"result":{"role":"assistant","content":{"type":"text","text":"pong"},"model":"test-model","stopReason":"endTurn"}}"#)
        let result = try await proxy.response(to: #""s-1""#)
        XCTAssertEqual(result.toolText, "sampled: pong", result.line)

        // Both upstreams ask at once: their own ids collide (each starts at 1); the proxy's must not.
        try proxy.sendRequest("tools/call", params: #"{"name":"alpha__sample","arguments":{"prompt":"from alpha"}}"#, id: #""s-a""#)
        try proxy.sendRequest("tools/call", params: #"{"name":"beta__sample","arguments":{"prompt":"from beta"}}"#, id: #""s-b""#)
        let first = try await proxy.serverRequest("sampling/createMessage")
        let second = try await proxy.serverRequest("sampling/createMessage")
        XCTAssertNotEqual(first.idText, second.idText, "distinct ids for requests from different upstreams")
        XCTAssertNotEqual(first.idText, proxyID, "a fresh id, not the one already answered")
        // Answer in reverse order of arrival.
        for request in [second, first] {
            let prompt = request.params?["messages"]?.arrayValue?.first?["content"]?["text"]?.stringValue ?? "?"
            try proxy.send(#"{"jsonrpc":"2.0","id":\#(request.idText ?? "null"),"result":{"role":"assistant","content":{"type":"text","text":"re: \#(prompt)"},"model":"m"}}"#)
        }
        let alpha = try await proxy.response(to: #""s-a""#)
        let beta = try await proxy.response(to: #""s-b""#)
        XCTAssertEqual(alpha.toolText, "sampled: re: from alpha")
        XCTAssertEqual(beta.toolText, "sampled: re: from beta")
    }

    func testSamplingIsRefusedForAClientWithoutTheCapability() async throws {
        let proxy = try await startInitialized(capabilities: #"{"roots":{}}"#)
        let result = try await proxy.callTool("alpha__sample", arguments: #"{"prompt":"ping"}"#)
        XCTAssertEqual(result.toolText, "sampled: The client does not support sampling", result.line)
        XCTAssertEqual(proxy.messages { $0.isRequest }.map(\.line), [], "nothing is sent to the client")
    }

    func testElicitationRoundTrip() async throws {
        let proxy = try await startInitialized(capabilities: #"{"elicitation":{}}"#)
        try proxy.sendRequest("tools/call", params: #"{"name":"beta__elicit","arguments":{"message":"Your name?"}}"#, id: #""e-1""#)
        let request = try await proxy.serverRequest("elicitation/create")
        XCTAssertEqual(request.params?["message"]?.stringValue, "Your name?", request.line)
        XCTAssertEqual(request.params?["requestedSchema"]?["required"], .array([.string("name")]))
        try proxy.send(#"{"jsonrpc":"2.0","id":\#(request.idText ?? "null"),"result":{"action":"accept","content":{"name":"Ada"}}}"#)
        let result = try await proxy.response(to: #""e-1""#)
        XCTAssertEqual(result.toolText, "action=accept name=Ada", result.line)

        // The client may decline.
        try proxy.sendRequest("tools/call", params: #"{"name":"alpha__elicit","arguments":{}}"#, id: #""e-2""#)
        let again = try await proxy.serverRequest("elicitation/create")
        XCTAssertEqual(again.params?["message"]?.stringValue, "What is your name?")
        try proxy.send(#"{"jsonrpc":"2.0","id":\#(again.idText ?? "null"),"result":{"action":"decline"}}"#)
        let declined = try await proxy.response(to: #""e-2""#)
        XCTAssertEqual(declined.toolText, "action=decline name=", declined.line)
    }

    func testRootsRoundTripIncludingAnErrorAnswer() async throws {
        let directory = try makeDirectory()
        // alpha runs per session: a client's roots/list_changed is forwarded only to upstream
        // sessions of its own (a shared one asks for roots during a leased call instead); beta
        // is shared, so the round trips below cover both modes.
        var alpha = ConfigFile.Server.recorded("alpha", directory: directory.path)
        alpha.extra = ["pool: { mode: perSession }"]
        let config = ConfigFile(servers: [alpha, .example("beta")])
        let proxy = try await startInitialized(config, capabilities: #"{"roots":{"listChanged":true}}"#, in: directory)
        try proxy.sendRequest("tools/call", params: #"{"name":"alpha__roots","arguments":{}}"#, id: #""r-1""#)
        let request = try await proxy.serverRequest("roots/list")
        try proxy.send(#"{"jsonrpc":"2.0","id":\#(request.idText ?? "null"),"result":{"roots":[{"uri":"file:///tmp/a","name":"a"},{"uri":"file:///tmp/b"}]}}"#)
        let result = try await proxy.response(to: #""r-1""#)
        XCTAssertEqual(result.toolText, "file:///tmp/a\nfile:///tmp/b", result.line)

        // An error from the client reaches the upstream as an error.
        try proxy.sendRequest("tools/call", params: #"{"name":"beta__roots","arguments":{}}"#, id: #""r-2""#)
        let second = try await proxy.serverRequest("roots/list")
        try proxy.send(#"{"jsonrpc":"2.0","id":\#(second.idText ?? "null"),"error":{"code":-32603,"message":"no roots today"}}"#)
        let failed = try await proxy.response(to: #""r-2""#)
        XCTAssertEqual(failed.toolText, "error: no roots today", failed.line)
        XCTAssertTrue(failed.toolIsError)

        // The client's roots/list_changed reaches the upstreams as it was sent.
        let changed = #"{"jsonrpc":"2.0","method":"notifications/roots/list_changed"}"#
        try proxy.send(changed)
        let forwarded = try await waitForLine(in: directory.path + "/alpha-in.log", containing: "roots/list_changed")
        XCTAssertEqual(forwarded, changed)
    }
}
