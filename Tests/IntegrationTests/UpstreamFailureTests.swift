import JSONRPC
import XCTest

/// Tests 10 and 11: an upstream that dies mid-call, and one that never starts.
final class UpstreamFailureTests: ProxyTestCase {
    func testCrashMidCallFailsItsRequestsOnceAndDropsItsTools() async throws {
        // Per-session without restart: the crashed upstream stays down for this session. (A
        // shared upstream is restarted by its pool; Tests/Interop/test_crash.py covers both.)
        let config = ConfigFile(
            servers: [.example("alpha", extra: ["pool: { mode: perSession }"]), .example("beta")],
            proxy: ["upstreams: { restart: false }"])
        let proxy = try await startInitialized(config)
        _ = try await proxy.call("tools/list")
        try proxy.sendRequest("tools/call", params: #"{"name":"alpha__slow","arguments":{"seconds":30}}"#, id: #""inflight""#)
        try proxy.sendRequest("tools/call", params: #"{"name":"alpha__crash","arguments":{}}"#, id: #""boom""#)

        let inflight = try await proxy.response(to: #""inflight""#)
        let boom = try await proxy.response(to: #""boom""#)
        for response in [inflight, boom] {
            XCTAssertNotNil(response.errorCode, "a request to a crashed upstream gets an error response: \(response.line)")
            XCTAssertTrue(response.errorMessage?.contains("'alpha'") == true, "the error names the upstream: \(response.line)")
        }
        _ = try await proxy.notification("notifications/tools/list_changed")

        let list = try await proxy.call("tools/list")
        let names = list.result?["tools"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
        XCTAssertEqual(names, Self.exampleTools.map { "beta__" + $0 }, "only beta's tools remain: \(list.line.prefix(300))")

        let echo = try await proxy.callTool("beta__echo", arguments: #"{"text":"beta lives"}"#)
        XCTAssertEqual(echo.toolText, "beta lives", echo.line)
        let gone = try await proxy.callTool("alpha__echo", arguments: #"{"text":"x"}"#)
        XCTAssertEqual(gone.errorCode, -32602, "alpha's tools no longer exist: \(gone.line)")

        XCTAssertEqual(proxy.messages { $0.idText == #""inflight""# }.count, 1, "exactly one response for the call in flight")
        XCTAssertEqual(proxy.messages { $0.idText == #""boom""# }.count, 1, "exactly one response for the crash call")
    }

    func testAnUpstreamThatCannotStartLeavesTheOtherServing() async throws {
        let config = ConfigFile(servers: [
            ConfigFile.Server(name: "alpha", command: "/nonexistent/x", arguments: []),
            .example("beta"),
        ])
        let proxy = try startProxy(config)
        let response = try await proxy.initialize()
        let result = try XCTUnwrap(response.result, response.line)
        XCTAssertEqual(result["instructions"]?.stringValue, "## beta\n\(Self.exampleInstructions("beta"))")
        XCTAssertEqual(result["capabilities"]?["tools"], json(#"{"listChanged":true}"#))

        let list = try await proxy.call("tools/list")
        let names = list.result?["tools"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
        XCTAssertEqual(names, Self.exampleTools.map { "beta__" + $0 }, list.line)
        let missing = try await proxy.callTool("alpha__echo", arguments: #"{"text":"x"}"#, id: #""to-alpha""#)
        XCTAssertEqual(missing.errorCode, -32602, missing.line)
        XCTAssertEqual(missing.idText, #""to-alpha""#)
        let echo = try await proxy.callTool("beta__echo", arguments: #"{"text":"ok"}"#)
        XCTAssertEqual(echo.toolText, "ok", echo.line)
    }

    func testACrashCancelsTheUpstreamsPendingRequestToTheClient() async throws {
        let proxy = try await startInitialized(capabilities: #"{"sampling":{}}"#)
        _ = try await proxy.call("tools/list")
        try proxy.sendRequest("tools/call", params: #"{"name":"alpha__sample","arguments":{"prompt":"never answered"}}"#, id: #""sampling""#)
        let request = try await proxy.serverRequest("sampling/createMessage")
        let proxyID = try XCTUnwrap(request.idText)
        try proxy.sendRequest("tools/call", params: #"{"name":"alpha__crash","arguments":{}}"#, id: #""crash""#)

        let cancelled = try await proxy.notification("notifications/cancelled")
        XCTAssertEqual(cancelled.params?["requestId"].map { String(decoding: $0.encoded, as: UTF8.self) }, proxyID,
                       "the client is told, with the id it was given, that the request is void: \(cancelled.line)")
        let sampling = try await proxy.response(to: #""sampling""#)
        XCTAssertNotNil(sampling.errorCode, sampling.line)
        _ = try await proxy.response(to: #""crash""#)

        // A late answer to the voided request is dropped without a reply.
        let mark = proxy.mark
        try proxy.send(#"{"jsonrpc":"2.0","id":\#(proxyID),"result":{"role":"assistant","content":{"type":"text","text":"late"},"model":"m"}}"#)
        let seen = try await proxy.pingAndCollect(since: mark)
        XCTAssertEqual(seen.count, 1, "only the ping's answer: \(seen)")
    }
}
