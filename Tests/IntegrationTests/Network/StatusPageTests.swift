import Foundation
import XCTest

/// `GET /status.json` and `GET /` on the admin listener of `mcp-proxy serve`, over real HTTP
/// with real upstream processes. (The page itself is tested in a browser by
/// Tests/Interop/test_status_page.py.)
final class StatusPageTests: NetworkTestCase {
    private func config(_ upstreams: String) -> String {
        "mcpServers:\n" + upstreams + "proxy:\n  upstreams: { restart: true, shutdownGraceSeconds: 1 }\n"
    }

    private func status(_ serve: ServeProcess) throws -> [String: Any] {
        let response = try RawHTTP.request("GET", port: serve.adminPort, path: "/status.json")
        XCTAssertEqual(response.status, 200, response.body)
        XCTAssertEqual(response.head.header("content-type"), "application/json")
        XCTAssertEqual(response.head.header("cache-control"), "no-store")
        return try XCTUnwrap(JSONSerialization.jsonObject(with: Data(response.body.utf8)) as? [String: Any], response.body)
    }

    private func upstream(_ name: String, in report: [String: Any]) throws -> [String: Any] {
        let upstreams = try XCTUnwrap(report["upstreams"] as? [[String: Any]], "\(report)")
        return try XCTUnwrap(upstreams.first { $0["name"] as? String == name }, "no \(name) in \(upstreams)")
    }

    private func series(_ tool: String, of upstream: [String: Any]) throws -> [String: Any] {
        let rows = try XCTUnwrap(upstream["series"] as? [[String: Any]], "\(upstream)")
        return try XCTUnwrap(rows.first { $0["tool"] as? String == tool }, "no \(tool) row in \(rows)")
    }

    /// Polls `/status.json` until `check` holds (10 s at most).
    private func eventually(_ serve: ServeProcess, _ what: String, _ check: ([String: Any]) throws -> Bool) async throws -> [String: Any] {
        let deadline = ContinuousClock.now + .seconds(10)
        var last: [String: Any] = [:]
        while ContinuousClock.now < deadline {
            last = try status(serve)
            if (try? check(last)) == true { return last }
            try await Task.sleep(for: .milliseconds(100))
        }
        XCTFail("status.json did not show \(what) within 10 s: \(last)")
        return last
    }

    func testStatusJSONCountsRatesLatencyAndStates() async throws {
        try Binaries.check()
        let directory = try makeDirectory()
        let flag = directory.path + "/flaky-cannot-start"
        let serve = try await startServe(config("""
              alpha:
                command: \(ConfigFile.quote(Binaries.exampleServer))
                args: ["--name", "alpha", "--faults"]
              flaky:
                command: \(ConfigFile.quote(Binaries.exampleServer))
                args: ["--name", "flaky", "--faults", "--exit-at-start-while", \(ConfigFile.quote(flag))]
                breaker: { failureThreshold: 1, openSeconds: 600 }
                retry: false
              solo:
                command: \(ConfigFile.quote(Binaries.exampleServer))
                args: ["--name", "solo"]
                pool: { mode: perSession }

            """), in: directory)

        var report = try await eventually(serve, "alpha and flaky up") { report in
            try upstream("alpha", in: report)["state"] as? String == "up" && upstream("flaky", in: report)["state"] as? String == "up"
        }
        XCTAssertEqual(try upstream("solo", in: report)["state"] as? String, "idle")
        XCTAssertEqual(try upstream("solo", in: report)["mode"] as? String, "perSession")
        XCTAssertEqual(try upstream("alpha", in: report)["sessions"] as? Int, 1)
        XCTAssertEqual(report["clientSessions"] as? Int, 0)
        let server = try XCTUnwrap(report["server"] as? [String: Any])
        XCTAssertGreaterThan(server["uptimeSeconds"] as? Double ?? 0, 0)
        XCTAssertEqual(server["proxyVersion"] as? String, server["version"] as? String)
        XCTAssertEqual((report["recentErrors"] as? [Any])?.count, 0)

        let client = try await connect(.remote("status", url: serve.base + "/mcp", kind: .streamableHTTP))
        for index in 0..<5 {
            let answer = try await client.callTool("alpha__echo", arguments: #"{"text":"\#(index)"}"#)
            XCTAssertNil(answer.errorCode, "\(answer)")
        }
        report = try await eventually(serve, "five echo calls, one session, solo up") { report in
            try upstream("alpha", in: report)["requests"] as? Int == 5 && report["clientSessions"] as? Int == 1
                && upstream("solo", in: report)["state"] as? String == "up"
        }
        let alpha = try upstream("alpha", in: report)
        let echo = try series("echo", of: alpha)
        XCTAssertEqual(echo["requests"] as? Int, 5)
        XCTAssertEqual(echo["method"] as? String, "tools/call")
        XCTAssertGreaterThan(echo["p50Ms"] as? Double ?? 0, 0)
        XCTAssertGreaterThanOrEqual(echo["p99Ms"] as? Double ?? 0, echo["p50Ms"] as? Double ?? 0)
        XCTAssertGreaterThan(alpha["p99Ms"] as? Double ?? 0, 0)
        XCTAssertEqual((alpha["series"] as? [Any])?.count, 1, "only tools that served requests are listed: \(alpha)")

        // Rates: over about the last second, whoever polls.
        try await Task.sleep(for: .milliseconds(1100))
        _ = try status(serve)
        for index in 0..<10 {
            _ = try await client.callTool("alpha__echo", arguments: #"{"text":"r\#(index)"}"#)
        }
        try await Task.sleep(for: .milliseconds(950))
        report = try status(serve)
        let window = try XCTUnwrap(report["rateWindowSeconds"] as? Double, "\(report)")
        XCTAssertGreaterThanOrEqual(window, 0.9)
        XCTAssertLessThan(window, 3)
        let rate = try XCTUnwrap(try upstream("alpha", in: report)["rate"] as? Double, "\(report)")
        XCTAssertEqual(rate, 10 / window, accuracy: 0.5, "10 calls in the window")
        XCTAssertEqual(try series("echo", of: upstream("alpha", in: report))["rate"] as? Double ?? -1, rate, accuracy: 0.001)
        let totals = try XCTUnwrap(report["totals"] as? [String: Any])
        XCTAssertEqual(totals["requests"] as? Int, 15)
        XCTAssertEqual(totals["rate"] as? Double ?? -1, rate, accuracy: 0.001)

        // Trip flaky: the crash is a recent error, and the breaker is open.
        XCTAssertTrue(FileManager.default.createFile(atPath: flag, contents: nil), "could not create \(flag)")
        let crashed = try await client.callTool("flaky__crash", arguments: "{}")
        XCTAssertNotNil(crashed.errorCode, "\(crashed)")
        report = try await eventually(serve, "flaky's breaker open") { report in
            try upstream("flaky", in: report)["state"] as? String == "breaker-open"
        }
        let errors = try XCTUnwrap(report["recentErrors"] as? [[String: Any]])
        let crash = try XCTUnwrap(errors.first, "\(report)")
        XCTAssertEqual(crash["upstream"] as? String, "flaky")
        XCTAssertEqual(crash["method"] as? String, "tools/call")
        XCTAssertEqual(crash["tool"] as? String, "crash")
        XCTAssertEqual(crash["outcome"] as? String, "upstream_unavailable")
        XCTAssertEqual(crash["time"] as? Double ?? 0, Date().timeIntervalSince1970, accuracy: 60)
        XCTAssertEqual(try upstream("flaky", in: report)["errors"] as? Int, 1)
        XCTAssertEqual(try upstream("flaky", in: report)["sessions"] as? Int, 0)
        XCTAssertEqual(try upstream("alpha", in: report)["state"] as? String, "up")
    }

    func testRecentErrorsAreBoundedAndNewestFirst() async throws {
        try Binaries.check()
        let directory = try makeDirectory()
        let serve = try await startServe(config("""
              alpha:
                command: \(ConfigFile.quote(Binaries.exampleServer))
                args: ["--name", "alpha", "--faults"]

            """), in: directory)
        let client = try await connect(.remote("errors", url: serve.base + "/mcp", kind: .streamableHTTP))
        for status in 0..<60 {
            let answer = try await client.callTool("alpha__http_status", arguments: #"{"status":\#(1000 + status)}"#)
            XCTAssertEqual(answer.errorCode, -32603, "\(answer)")
        }
        let report = try status(serve)
        let errors = try XCTUnwrap(report["recentErrors"] as? [[String: Any]])
        XCTAssertEqual(errors.count, 50, "the last 50 are kept")
        XCTAssertEqual((report["totals"] as? [String: Any])?["failuresRecorded"] as? Int, 60)
        XCTAssertEqual((report["totals"] as? [String: Any])?["errors"] as? Int, 60)
        let times = errors.compactMap { $0["time"] as? Double }
        XCTAssertEqual(times, times.sorted(by: >), "newest first")
        XCTAssertEqual(errors.first?["code"] as? Int, -32603)
        XCTAssertEqual(errors.first?["outcome"] as? String, "error")
        XCTAssertEqual(errors.first?["tool"] as? String, "http_status")
        XCTAssertTrue((errors.first?["message"] as? String ?? "").contains("-32603"), "\(errors.first ?? [:])")
        XCTAssertEqual(try upstream("alpha", in: report)["state"] as? String, "up", "JSON-RPC errors do not open the breaker")
    }

    func testThePageIsServedSelfContainedAndTheOtherPagesStay() async throws {
        try Binaries.check()
        let directory = try makeDirectory()
        let serve = try await startServe(config("""
              alpha:
                command: \(ConfigFile.quote(Binaries.exampleServer))
                args: ["--name", "alpha"]

            """), in: directory)
        let page = try RawHTTP.request("GET", port: serve.adminPort, path: "/")
        XCTAssertEqual(page.status, 200)
        XCTAssertEqual(page.head.header("content-type"), "text/html; charset=utf-8")
        let policy = try XCTUnwrap(page.head.header("content-security-policy"))
        XCTAssertTrue(policy.contains("default-src 'none'") && policy.contains("script-src 'sha256-") && policy.contains("connect-src 'self'"), policy)
        XCTAssertTrue(page.body.contains("status.json") && page.body.contains(#"<meta name="viewport""#))
        XCTAssertNil(page.body.range(of: #"(src|href)\s*=\s*["']?(https?:)?//"#, options: .regularExpression), "no external assets")
        XCTAssertEqual(try RawHTTP.request("POST", port: serve.adminPort, path: "/").status, 405)
        XCTAssertEqual(try RawHTTP.request("GET", port: serve.adminPort, path: "/healthz").body, "ok\n")
        XCTAssertEqual(try RawHTTP.request("GET", port: serve.adminPort, path: "/metrics").status, 200)
        XCTAssertEqual(try RawHTTP.request("GET", port: serve.adminPort, path: "/stats").status, 200)
        XCTAssertEqual(try RawHTTP.request("GET", port: serve.adminPort, path: "/nope").status, 404)
    }
}
