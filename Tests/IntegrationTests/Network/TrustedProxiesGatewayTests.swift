import Foundation
import MCPConfig
@testable import MCPGateway
import XCTest

/// `proxy.listen.trustedProxies` on a real gateway over loopback: behind a trusted balancer the
/// limit before authentication (`preAuthLimit`) keeps one bucket per forwarded client and the
/// access log names that client; without trusted proxies the header changes nothing.
final class TrustedProxiesGatewayTests: NetworkTestCase {
    private struct Started {
        let gateway: Gateway
        let port: Int
        let logPath: String
    }

    /// A gateway with API-key authentication and a limit before authentication of burst 5 that
    /// barely refills: one failed authentication (1 token + a penalty of 4) empties an address's bucket.
    private func startGateway(trusting cidrs: [String]) async throws -> Started {
        try Binaries.check()
        let directory = try makeDirectory()
        let logPath = directory.path + "/access.log"
        let trusted = cidrs.map { "\"\($0)\"" }.joined(separator: ",")
        let text = """
        {"mcpServers":{"alpha":{"command":"\(Binaries.exampleServer)","args":["--name","alpha"]}},
         "proxy":{"listen":{"host":"127.0.0.1","port":0,"trustedProxies":[\(trusted)]},
                  "auth":{"resource":"http://127.0.0.1/mcp","apiKeys":[{"name":"ci-bot","key":"ci-bot-key-0123456789abcdef"}],
                          "preAuthLimit":{"rate":0.001,"burst":5}},
                  "accessLog":{"format":"json","destination":"\(logPath)"}}}
        """
        let config = try ConfigLoader.load(text: text, sourceName: "<test>", environment: [:])
        let gateway = Gateway(config: config, logger: NetworkTestClient.quietLogger, endsAllChildren: false)
        let addresses = try await gateway.start(.network)
        addTeardownBlock { await gateway.stop(grace: .seconds(1)) }
        let port = try XCTUnwrap(URLComponents(string: try XCTUnwrap(addresses.mcp))?.port)
        return Started(gateway: gateway, port: port, logPath: logPath)
    }

    /// The status of an unauthenticated ping, on a connection of its own, with `headers`.
    private func status(_ port: Int, _ headers: [(String, String)]) throws -> Int {
        let raw = try RawHTTPConnection(port: port)
        defer { raw.close() }
        let sent = raw.sendRequest(
            "POST", "/mcp", headers: [("Content-Type", "application/json"), ("Accept", "application/json, text/event-stream")] + headers,
            body: Array(#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#.utf8), port: port)
        XCTAssertTrue(sent)
        return try raw.readHead().status
    }

    func testForwardedClientsAreLimitedSeparatelyAndLogged() async throws {
        let started = try await startGateway(trusting: ["127.0.0.1/32"])
        let port = started.port
        XCTAssertEqual(try status(port, [("X-Forwarded-For", "203.0.113.1")]), 401)
        XCTAssertEqual(try status(port, [("X-Forwarded-For", "203.0.113.1")]), 429, "203.0.113.1's bucket is empty")
        XCTAssertEqual(try status(port, [("X-Forwarded-For", "198.51.100.7, 203.0.113.2")]), 401,
                       "another client has a bucket of its own (the forged hop left of it is not believed)")
        XCTAssertEqual(try status(port, [("Forwarded", #"for="[2001:db8::2]:4711""#)]), 401, "and one by Forwarded")
        XCTAssertEqual(try status(port, [("X-Forwarded-For", "203.0.113.2")]), 429)
        XCTAssertEqual(try status(port, []), 401, "the balancer's own requests use its address")

        let entries = try await eventuallyLines(started.logPath, atLeast: 6)
        let refusals = entries.map { "\($0["remote"] as? String ?? "-") \($0["status"] as? Int ?? 0)" }
        XCTAssertEqual(refusals, ["203.0.113.1 401", "203.0.113.1 429", "203.0.113.2 401", "2001:db8::2 401", "203.0.113.2 429", "127.0.0.1 401"])
    }

    func testWithoutTrustedProxiesTheHeaderIsIgnored() async throws {
        let started = try await startGateway(trusting: [])
        let port = started.port
        XCTAssertEqual(try status(port, [("X-Forwarded-For", "203.0.113.1")]), 401)
        XCTAssertEqual(try status(port, [("X-Forwarded-For", "203.0.113.2")]), 429, "every request shares the peer's bucket")
        let entries = try await eventuallyLines(started.logPath, atLeast: 2)
        XCTAssertEqual(entries.map { $0["remote"] as? String }, ["127.0.0.1", "127.0.0.1"])
    }

    func testChangingTrustedProxiesNeedsARestartAndSaysSo() async throws {
        let started = try await startGateway(trusting: ["127.0.0.1/32"])
        var config = await started.gateway.config
        config.proxy.listen.trustedProxies = ["10.0.0.0/8"]
        do {
            try await started.gateway.reload(config)
            XCTFail("a running front cannot change whom it trusts")
        } catch {
            XCTAssertTrue(error.message.contains("proxy.listen.trustedProxies"), error.message)
            XCTAssertFalse(error.message.contains("proxy.listen,"), "only the key that changed is named: \(error.message)")
        }
        XCTAssertEqual(try status(started.port, [("X-Forwarded-For", "203.0.113.1")]), 401, "still serving on the old settings")
    }

    /// The JSON objects in the file at `path`, once it has at least `count` lines.
    private func eventuallyLines(_ path: String, atLeast count: Int) async throws -> [[String: Any]] {
        let deadline = ContinuousClock.now + .seconds(10)
        var lines: [String] = []
        while ContinuousClock.now < deadline {
            let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
            lines = text.split(separator: "\n").map(String.init)
            if lines.count >= count { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        XCTAssertGreaterThanOrEqual(lines.count, count, lines.joined(separator: "\n"))
        return try lines.map { line in
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "not one JSON object: \(line)")
        }
    }
}
