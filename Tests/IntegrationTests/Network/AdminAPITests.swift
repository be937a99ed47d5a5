import Foundation
import XCTest

/// The admin API of `mcp-proxy serve` (`/api/...` on the admin listener, behind
/// `proxy.admin.token`), over real HTTP, with real upstream processes.
final class AdminAPITests: NetworkTestCase {
    private let token = "test-admin-token-0123456789"

    private func serve(_ upstreams: [NetworkConfigText.Upstream], token: String?, extra: [String] = []) async throws -> (ServeProcess, TemporaryDirectory) {
        try Binaries.check()
        let directory = try makeDirectory()
        var proxy = extra
        if let token { proxy += ["admin:", "  token: \(token)"] }
        return (try await startServe(NetworkConfigText.make(upstreams, proxy: proxy), in: directory), directory)
    }

    private func api(_ method: String, _ path: String, port: Int, token: String?) throws -> RawHTTPResponse {
        var headers: [(String, String)] = []
        if let token { headers.append(("Authorization", "Bearer \(token)")) }
        return try RawHTTP.request(method, port: port, path: path, headers: headers)
    }

    private func json(_ response: RawHTTPResponse) throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(response.body.utf8)) as? [String: Any], response.body)
    }

    private func upstreamChildren(_ serve: ServeProcess) -> [ProcessTable.Entry] {
        ProcessTable.children(of: serve.process.pid).filter { ProcessTable.isAlive($0.pid) }
    }

    func testWithoutATokenTheAPIIsOffAndTheTokenIsChecked() async throws {
        let (off, _) = try await serve([.stdio(name: "alpha")], token: nil)
        XCTAssertEqual(try api("GET", "/api/upstreams", port: off.adminPort, token: token).head.status, 403)
        XCTAssertEqual(try api("GET", "/healthz", port: off.adminPort, token: nil).head.status, 200, "the pages stay open")

        let (on, _) = try await serve([.stdio(name: "alpha")], token: token)
        let missing = try api("GET", "/api/upstreams", port: on.adminPort, token: nil)
        XCTAssertEqual(missing.head.status, 401)
        XCTAssertNotNil(missing.head.header("www-authenticate"))
        XCTAssertEqual(try api("GET", "/api/upstreams", port: on.adminPort, token: "wrong-token-wrong-token").head.status, 401)
        let listed = try api("GET", "/api/upstreams", port: on.adminPort, token: token)
        XCTAssertEqual(listed.head.status, 200, listed.body)
        let upstreams = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(listed.body.utf8)) as? [[String: Any]], listed.body)
        XCTAssertEqual(upstreams.map { $0["upstream"] as? String }, ["alpha"])
        XCTAssertEqual(try api("DELETE", "/api/upstreams", port: on.adminPort, token: token).head.status, 405)
        XCTAssertEqual(try api("POST", "/api/upstreams/nope/restart", port: on.adminPort, token: token).head.status, 404)
    }

    func testSessionsAreListedWithTheirClient() async throws {
        let (serve, _) = try await serve([.stdio(name: "alpha")], token: token)
        _ = try await connect(.remote("listed-client", url: serve.base + "/mcp", kind: .streamableHTTP))
        let body = try json(try api("GET", "/api/sessions", port: serve.adminPort, token: token))
        XCTAssertEqual(body["count"] as? Int, 1, "\(body)")
        let session = try XCTUnwrap((body["sessions"] as? [[String: Any]])?.first)
        XCTAssertEqual(session["principal"] as? String, "anonymous")
        XCTAssertFalse((session["client"] as? String ?? "").isEmpty, "\(session)")
        XCTAssertEqual(session["requestsInFlight"] as? Int, 0)
    }

    func testDrainTakesAnUpstreamOutOfServiceAndRestartBringsItBack() async throws {
        let (serve, _) = try await serve([.stdio(name: "alpha"), .stdio(name: "beta")], token: token)
        let client = try await connect(.remote("c", url: serve.base + "/mcp", kind: .streamableHTTP))
        let first = try await client.callTool("alpha__echo", arguments: #"{"text":"before"}"#)
        XCTAssertNil(first.errorCode, "\(first)")
        XCTAssertEqual(upstreamChildren(serve).count, 2)

        let drained = try json(try api("POST", "/api/upstreams/alpha/drain?timeout=5", port: serve.adminPort, token: token))
        XCTAssertEqual(drained["drained"] as? Bool, true, "\(drained)")
        XCTAssertEqual(drained["requestsCutOff"] as? Int, 0)
        let refused = try await client.callTool("alpha__echo", arguments: #"{"text":"during"}"#)
        XCTAssertNotNil(refused.errorCode, "a drained upstream refuses: \(refused)")
        XCTAssertTrue(refused.line.contains("drain"), refused.line)
        let beta = try await client.callTool("beta__echo", arguments: #"{"text":"neighbour"}"#)
        XCTAssertNil(beta.errorCode, "the other upstream is unaffected: \(beta)")
        let deadline = ContinuousClock.now + .seconds(10)
        while upstreamChildren(serve).count > 1, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        XCTAssertEqual(upstreamChildren(serve).count, 1, "the drained upstream's process stopped and none reopened")

        XCTAssertEqual(try api("POST", "/api/upstreams/alpha/restart", port: serve.adminPort, token: token).head.status, 200)
        var again = try await client.callTool("alpha__echo", arguments: #"{"text":"after"}"#)
        let retryDeadline = ContinuousClock.now + .seconds(10)
        while again.errorCode != nil, ContinuousClock.now < retryDeadline {
            try await Task.sleep(for: .milliseconds(200))
            again = try await client.callTool("alpha__echo", arguments: #"{"text":"after"}"#)
        }
        XCTAssertNil(again.errorCode, "restart brings it back: \(again)")
    }

    func testReloadThroughTheAPIReadsTheFileAgain() async throws {
        let (serve, directory) = try await serve([.stdio(name: "alpha")], token: token)
        let adminBlock = ["admin:", "  token: \(token)"]
        _ = try directory.write("serve.yaml", NetworkConfigText.make([.stdio(name: "alpha"), .stdio(name: "beta")], proxy: adminBlock))
        let reloaded = try api("POST", "/api/reload", port: serve.adminPort, token: token)
        XCTAssertEqual(reloaded.head.status, 200, reloaded.body)
        let client = try await connect(.remote("new", url: serve.base + "/mcp", kind: .streamableHTTP))
        let beta = try await client.callTool("beta__echo", arguments: #"{"text":"hi"}"#)
        XCTAssertNil(beta.errorCode, "\(beta)")

        _ = try directory.write("serve.yaml", "mcpServers: [broken\n")
        let refused = try api("POST", "/api/reload", port: serve.adminPort, token: token)
        XCTAssertEqual(refused.head.status, 422, refused.body)
        XCTAssertTrue(refused.body.contains("problems"), refused.body)
        let still = try await client.callTool("beta__echo", arguments: #"{"text":"still"}"#)
        XCTAssertNil(still.errorCode, "\(still)")
    }

    func testBreakerResetClosesAnOpenBreaker() async throws {
        let directory = try makeDirectory()
        try Binaries.check()
        let config = """
        mcpServers:
          flaky:
            command: \(ConfigFile.quote(Binaries.exampleServer))
            args: ["--name", "flaky", "--faults"]
            breaker: { failureThreshold: 1, openSeconds: 600 }
            retry: false
        proxy:
          admin:
            token: \(token)
        """
        let serve = try await startServe(config, in: directory)
        let client = try await connect(.remote("c", url: serve.base + "/mcp", kind: .streamableHTTP))
        _ = try await client.callTool("flaky__crash", arguments: "{}")
        var status = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(try api("GET", "/api/upstreams", port: serve.adminPort, token: token).body.utf8)) as? [[String: Any]])
        XCTAssertEqual(status.first?["breaker"] as? String, "open", "\(status)")
        XCTAssertEqual(try api("POST", "/api/upstreams/flaky/breaker/reset", port: serve.adminPort, token: token).head.status, 200)
        status = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(try api("GET", "/api/upstreams", port: serve.adminPort, token: token).body.utf8)) as? [[String: Any]])
        XCTAssertEqual(status.first?["breaker"] as? String, "closed", "\(status)")
    }
}
