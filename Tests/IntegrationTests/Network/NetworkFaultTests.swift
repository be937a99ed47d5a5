import Foundation
import JSONRPC
import MCPTransports
import XCTest

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `mcp-proxy serve` under HTTP-level faults: refused requests, an upstream session that
/// expires, the admin listener, graceful shutdown, and a cut SSE stream resumed with Last-Event-ID.
final class NetworkFaultTests: NetworkTestCase {
    private static let proxySettings = ["listen:", "  maxBodyBytes: 10000", "  drainSeconds: 3"]

    /// A serve with a stdio upstream `st` and a Streamable HTTP upstream `h`.
    private func startGateway(idleTimeout: Double? = nil) async throws -> (ServeProcess, ExampleHTTPServer) {
        let directory = try makeDirectory()
        let example = try await startExample("remote", idleTimeout: idleTimeout, in: directory)
        let config = NetworkConfigText.make(
            [.stdio(name: "st"), .remote(name: "h", url: example.base + "/mcp", type: nil)],
            proxy: Self.proxySettings)
        let serve = try await startServe(config, in: directory)
        return (serve, example)
    }

    private static let initializeBody =
        #"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}"#

    /// Initializes a session with raw HTTP; returns its Mcp-Session-Id.
    private func rawInitialize(port: Int) throws -> String {
        let response = try RawHTTP.request("POST", port: port, path: "/mcp", headers: RawHTTP.mcpHeaders(version: nil), body: Self.initializeBody)
        guard response.status == 200, let session = response.head.header("mcp-session-id") else {
            throw IntegrationFailure("raw initialize: expected 200 with Mcp-Session-Id, got \(response)")
        }
        let ack = try RawHTTP.request("POST", port: port, path: "/mcp", headers: RawHTTP.mcpHeaders(session: session),
                                      body: #"{"jsonrpc":"2.0","method":"notifications/initialized"}"#)
        XCTAssertEqual(ack.status, 202, "notifications/initialized is accepted with 202: \(ack)")
        return session
    }

    // MARK: Refusals

    func testForeignOriginIsForbidden() async throws {
        let (serve, _) = try await startGateway()
        let evil = try RawHTTP.request("POST", port: serve.port, path: "/mcp",
                                       headers: RawHTTP.mcpHeaders(version: nil) + [("Origin", "http://evil.example")], body: Self.initializeBody)
        XCTAssertEqual(evil.status, 403, "Origin http://evil.example must be refused: \(evil)")
        let local = try RawHTTP.request("POST", port: serve.port, path: "/mcp",
                                        headers: RawHTTP.mcpHeaders(version: nil) + [("Origin", "http://localhost:3000")], body: Self.initializeBody)
        XCTAssertEqual(local.status, 200, "a localhost Origin is allowed: \(local)")
    }

    func testBodyOverMaxBodyBytesIs413() async throws {
        let (serve, _) = try await startGateway()
        let session = try rawInitialize(port: serve.port)
        let padding = String(repeating: "x", count: 20_000)
        let body = #"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"st__echo","arguments":{"text":"\#(padding)"}}}"#
        let response = try RawHTTP.request("POST", port: serve.port, path: "/mcp", headers: RawHTTP.mcpHeaders(session: session), body: body)
        XCTAssertEqual(response.status, 413, "a 20 kB body over maxBodyBytes 10000: \(response)")
        // Just under the limit still works.
        let small = #"{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"st__echo","arguments":{"text":"\#(String(repeating: "y", count: 9_000))"}}}"#
        let ok = try RawHTTP.request("POST", port: serve.port, path: "/mcp", headers: RawHTTP.mcpHeaders(session: session), body: small)
        XCTAssertEqual(ok.status, 200, "a 9 kB body under the limit: \(ok.head)")
        XCTAssertTrue(ok.body.contains(String(repeating: "y", count: 9_000)), "the echo came back: \(ok.body.prefix(300))")
    }

    func testUnknownSessionIs404() async throws {
        let (serve, _) = try await startGateway()
        let response = try RawHTTP.request("POST", port: serve.port, path: "/mcp", headers: RawHTTP.mcpHeaders(session: "no-such-session-0123456789"),
                                           body: #"{"jsonrpc":"2.0","id":2,"method":"tools/list"}"#)
        XCTAssertEqual(response.status, 404, "an unknown Mcp-Session-Id: \(response)")
    }

    func testUnsupportedProtocolVersionHeaderIs400() async throws {
        let (serve, _) = try await startGateway()
        let session = try rawInitialize(port: serve.port)
        let response = try RawHTTP.request("POST", port: serve.port, path: "/mcp", headers: RawHTTP.mcpHeaders(session: session, version: "1999-01-01"),
                                           body: #"{"jsonrpc":"2.0","id":2,"method":"tools/list"}"#)
        XCTAssertEqual(response.status, 400, "MCP-Protocol-Version 1999-01-01: \(response)")
        let good = try RawHTTP.request("POST", port: serve.port, path: "/mcp", headers: RawHTTP.mcpHeaders(session: session),
                                       body: #"{"jsonrpc":"2.0","id":3,"method":"tools/list"}"#)
        XCTAssertEqual(good.status, 200, "the same request with 2025-11-25: \(good.head)")
        XCTAssertTrue(good.body.contains("st__echo") && good.body.contains("h__echo"), "tools/list lists both upstreams: \(good.body.prefix(400))")
    }

    // MARK: Upstream session expiry

    func testExpiredUpstreamSessionIsReinitializedTransparently() async throws {
        let (serve, _) = try await startGateway(idleTimeout: 1)
        let client = try await connect(.remote("expiry", url: serve.base + "/mcp", kind: .streamableHTTP))
        let first = try await client.callTool("h__echo", arguments: #"{"text":"before expiry"}"#)
        XCTAssertEqual(first.toolText, "before expiry", first.line)
        try await Task.sleep(for: .milliseconds(2500))
        let second = try await client.callTool("h__echo", arguments: #"{"text":"after expiry"}"#)
        XCTAssertEqual(second.toolText, "after expiry",
                       "a call after the upstream session expired (idle 1 s) must succeed: \(second.line)\nserve log:\n\(serve.process.logTail)")
        XCTAssertFalse(second.toolIsError, second.line)
    }

    // MARK: Admin

    func testAdminEndpoints() async throws {
        let (serve, _) = try await startGateway()
        let health = try RawHTTP.request("GET", port: serve.adminPort, path: "/healthz")
        XCTAssertEqual(health.status, 200, "\(health)")
        XCTAssertEqual(health.body.trimmingCharacters(in: .whitespacesAndNewlines), "ok")

        var ready = try RawHTTP.request("GET", port: serve.adminPort, path: "/readyz")
        let deadline = ContinuousClock.now + .seconds(15)
        while ready.status != 200 && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
            ready = try RawHTTP.request("GET", port: serve.adminPort, path: "/readyz")
        }
        XCTAssertEqual(ready.status, 200, "/readyz once the upstreams are probed: \(ready)")
        let readyJSON = try JSONValue(parsing: Array(ready.body.utf8))
        XCTAssertEqual(readyJSON["ready"]?.boolValue, true, ready.body)
        let names = Set(readyJSON["upstreams"]?.arrayValue?.compactMap { $0["upstream"]?.stringValue } ?? [])
        XCTAssertEqual(names, ["st", "h"], "/readyz names the upstreams: \(ready.body)")

        let client = try await connect(.remote("admin", url: serve.base + "/mcp", kind: .streamableHTTP))
        let echo = try await client.callTool("st__echo", arguments: #"{"text":"count me"}"#)
        XCTAssertEqual(echo.toolText, "count me")
        let metrics = try RawHTTP.request("GET", port: serve.adminPort, path: "/metrics")
        XCTAssertEqual(metrics.status, 200)
        let requestLines = metrics.body.split(separator: "\n").filter { $0.hasPrefix("mcp_proxy_requests_total{") }
        XCTAssertTrue(requestLines.contains { $0.contains(#"tool="echo""#) && $0.contains(#"upstream="st""#) },
                      "/metrics counts the echo call: \(requestLines)")

        let stats = try RawHTTP.request("GET", port: serve.adminPort, path: "/stats")
        XCTAssertEqual(stats.status, 200)
        XCTAssertEqual(stats.head.header("content-type")?.hasPrefix("application/json"), true, "\(stats.head)")
        XCTAssertNotNil(try JSONValue(parsing: Array(stats.body.utf8)).objectValue, "/stats is a JSON object: \(stats.body.prefix(300))")

        let missing = try RawHTTP.request("GET", port: serve.adminPort, path: "/nope")
        XCTAssertEqual(missing.status, 404)
    }

    // MARK: Shutdown

    func testSigtermExitsZeroAndReapsStdioUpstreams() async throws {
        let (serve, _) = try await startGateway()
        let client = try await connect(.remote("sigterm", url: serve.base + "/mcp", kind: .streamableHTTP))
        let echo = try await client.callTool("st__echo", arguments: #"{"text":"alive"}"#)
        XCTAssertEqual(echo.toolText, "alive")
        let children = ProcessTable.children(of: serve.process.pid).filter { $0.name.hasPrefix("example-server") }
        XCTAssertFalse(children.isEmpty, "the stdio upstream runs as a child of the proxy")
        kill(serve.process.pid, SIGTERM)
        let status = await serve.process.waitForExit(timeout: .seconds(3 + 3))
        XCTAssertEqual(status, 0, "exit status after SIGTERM within drain (3 s) + 3 s; log:\n\(serve.process.logTail)")
        let deadline = ContinuousClock.now + .seconds(3)
        var survivors = children.filter { ProcessTable.isAlive($0.pid) }
        while !survivors.isEmpty && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
            survivors = survivors.filter { ProcessTable.isAlive($0.pid) }
        }
        XCTAssertEqual(survivors.map(\.pid), [], "stdio upstream children still alive after the proxy exited: \(survivors)")
        for survivor in survivors { kill(survivor.pid, SIGKILL) }
    }

    // MARK: Resumption

    func testCutSSEStreamResumesWithLastEventIDWithoutDuplicates() async throws {
        let (serve, _) = try await startGateway()
        let session = try rawInitialize(port: serve.port)
        let call = #"{"jsonrpc":"2.0","id":"resume-1","method":"tools/call","params":{"name":"st__progress","arguments":{"steps":5,"delay_ms":200},"_meta":{"progressToken":"tok-resume"}}}"#
        let post = try RawHTTPConnection(port: serve.port)
        post.sendRequest("POST", "/mcp", headers: RawHTTP.mcpHeaders(session: session), body: Array(call.utf8), port: serve.port)
        let head = try post.readHead()
        XCTAssertEqual(head.status, 200, "\(head)")
        XCTAssertEqual(head.header("content-type")?.hasPrefix("text/event-stream"), true, "progress turns the answer into SSE: \(head)")
        guard let first = try post.nextEvent(), let firstID = first.id else {
            post.close()
            throw IntegrationFailure("no first SSE event with an id on the POST stream")
        }
        post.close()

        let resume = try RawHTTPConnection(port: serve.port)
        defer { resume.close() }
        resume.sendRequest("GET", "/mcp", headers: [
            ("Accept", "text/event-stream"), ("Mcp-Session-Id", session), ("MCP-Protocol-Version", "2025-11-25"), ("Last-Event-ID", firstID),
        ], port: serve.port)
        let resumedHead = try resume.readHead()
        XCTAssertEqual(resumedHead.status, 200, "GET with Last-Event-ID \(firstID): \(resumedHead)")
        var resumed: [RawSSEEvent] = []
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            guard let event = try resume.nextEvent(timeout: deadline - ContinuousClock.now) else { break }
            resumed.append(event)
            if event.data.contains(#""id":"resume-1""#) { break }
        }
        // Anything that still arrives shortly after the response would be a duplicate.
        while let extra = resume.eventIfAny(within: .milliseconds(700)) { resumed.append(extra) }

        let all = [first] + resumed
        let progress = all.compactMap { event -> Int64? in
            guard let json = try? JSONValue(parsing: Array(event.data.utf8)), json["method"]?.stringValue == "notifications/progress" else { return nil }
            return json["params"]?["progress"]?.intValue
        }
        let responses = all.filter { $0.data.contains(#""id":"resume-1""#) }
        XCTAssertEqual(progress, [1, 2, 3, 4, 5], "each progress step exactly once, in order (first event \(first), resumed \(resumed))")
        XCTAssertEqual(responses.count, 1, "the final response exactly once: \(resumed)")
        XCTAssertTrue(responses.first?.data.contains(#""text":"done""#) ?? false, "the final response is the tool's result: \(responses)")
        XCTAssertFalse(resumed.contains { $0.id == firstID }, "the event before Last-Event-ID is not replayed: \(resumed)")
        let ids = resumed.compactMap(\.id)
        XCTAssertEqual(ids.count, Set(ids).count, "no event id repeats: \(ids)")
    }
}
