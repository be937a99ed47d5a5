import Foundation
import JSONRPC
import XCTest

/// Tests 18 and 19: shutdown when the client leaves, `validate`, and `--stats-on-exit`.
final class LifecycleTests: ProxyTestCase {
    func testClosingStdinExitsCleanlyAndStopsTheUpstreams() async throws {
        let proxy = try await startInitialized()
        _ = try await proxy.call("tools/list")
        let children = ProcessTable.children(of: proxy.pid)
        XCTAssertEqual(children.map(\.name).sorted(), ["example-server", "example-server"], "the proxy runs two upstreams: \(children)")

        let start = ContinuousClock.now
        proxy.closeInput()
        let status = await proxy.waitForExit(timeout: .seconds(5))
        XCTAssertEqual(status, 0, "mcp-proxy exits 0 within 5 s of its stdin closing.\n\(proxy.standardErrorTail)")
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(5))
        for child in children {
            XCTAssertFalse(ProcessTable.isAlive(child.pid), "upstream \(child.pid) must be gone after the proxy exits")
        }
    }

    func testACallInFlightIsStillAnsweredAfterStdinCloses() async throws {
        let proxy = try await startInitialized()
        _ = try await proxy.call("tools/list")
        try proxy.sendRequest("tools/call", params: #"{"name":"beta__slow","arguments":{"seconds":0.5}}"#, id: #""last""#)
        proxy.closeInput()
        let answer = try await proxy.response(to: #""last""#, timeout: .seconds(5))
        XCTAssertEqual(answer.toolText, "slept 0.5s", answer.line)
        let status = await proxy.waitForExit(timeout: .seconds(5))
        XCTAssertEqual(status, 0, proxy.standardErrorTail)
    }

    func testSIGTERMStopsTheProxyAndItsUpstreams() async throws {
        let proxy = try await startInitialized()
        let children = ProcessTable.children(of: proxy.pid)
        XCTAssertEqual(children.count, 2, "\(children)")
        kill(proxy.pid, SIGTERM)
        let status = await proxy.waitForExit(timeout: .seconds(5))
        XCTAssertEqual(status, 0, "SIGTERM is a graceful stop.\n\(proxy.standardErrorTail)")
        for child in children {
            XCTAssertFalse(ProcessTable.isAlive(child.pid), "upstream \(child.pid) must be gone after SIGTERM")
        }
    }

    func testValidateAcceptsAGoodConfigAndListsEveryProblemOfABadOne() async throws {
        let directory = try makeDirectory()
        let good = try directory.write("good.yaml", ConfigFile.alphaBeta().text)
        let ok = try await CommandRun.run(Binaries.proxy, ["validate", good])
        XCTAssertEqual(ok.status, 0, ok.output)
        XCTAssertEqual(ok.output, "\(good): OK, 2 server(s): alpha, beta\n")

        let bad = try directory.write("bad.yaml", """
            mcpServers:
              alpha:
                comand: x
              beta:
                command: /bin/true
                startup: sometimes
            proxy:
              limits: { maxLineBytes: 0 }
              routes:
                - { action: route, to: gamma }

            """)
        let failed = try await CommandRun.run(Binaries.proxy, ["validate", bad])
        XCTAssertNotEqual(failed.status, 0, failed.output)
        for expected in [
            "\(bad):3: mcpServers.alpha.comand: unknown key in a server entry; did you mean 'command'?",
            "\(bad):2: mcpServers.alpha: missing",
            "\(bad):6: mcpServers.beta.startup: expected one of eager, lazy, found \"sometimes\"",
            "\(bad):8: proxy.limits.maxLineBytes: must be greater than 0, found 0",
            "\(bad):10: proxy.routes[0].to: no server named 'gamma'",
        ] {
            XCTAssertTrue(failed.output.contains(expected), "validate output should contain \(expected); got:\n\(failed.output)")
        }
    }

    func testStatsOnExitWritesAJSONSnapshotWithTheToolSeries() async throws {
        let proxy = try await startInitialized(arguments: ["--stats-on-exit"])
        let echo = try await proxy.callTool("alpha__echo", arguments: #"{"text":"counted"}"#)
        XCTAssertEqual(echo.toolText, "counted")
        proxy.closeInput()
        let status = await proxy.waitForExit(timeout: .seconds(5))
        XCTAssertEqual(status, 0)
        // The reader may still be draining stderr right after exit.
        var snapshotLine: String?
        for _ in 0..<100 {
            snapshotLine = proxy.standardError.split(separator: "\n").last { $0.hasPrefix(#"{"requests":"#) }.map(String.init)
            if snapshotLine != nil { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        let line = try XCTUnwrap(snapshotLine, "no JSON stats line on stderr:\n\(proxy.standardErrorTail)")
        let snapshot = json(line)
        let series = snapshot["requests"]?.arrayValue ?? []
        let echoSeries = series.first {
            $0["upstream"] == .string("alpha") && $0["method"] == .string("tools/call") && $0["tool"] == .string("echo")
        }
        XCTAssertEqual(echoSeries?["count"], .int(1), line)
        XCTAssertEqual(echoSeries?["errors"], .int(0))
        XCTAssertEqual(echoSeries?["latency"]?["count"], .int(1))
        let betaEcho = series.first { $0["upstream"] == .string("beta") && $0["tool"] == .string("echo") }
        XCTAssertEqual(betaEcho?["count"], .int(0), "beta's echo was never called")
    }
}
