import Foundation
import XCTest

/// `mcp-proxy check CONFIG`: the built binary against real upstreams (example-server children
/// and example-server over the network), broken ones among them.
final class CheckCommandTests: NetworkTestCase {
    /// The example server's lists: 13 tools, 1 prompt, 2 resources, 1 template.
    private static let exampleCounts = ["13", "1", "2", "1"]

    func testOneGoodAndTwoBrokenUpstreamsGiveATableAJSONDocumentAndStatusOne() async throws {
        try Binaries.check()
        let directory = try makeDirectory()
        let initializeLog = directory.path + "/initialize.log"
        let config = ConfigFile(servers: [
            // Pages of two: the counts must follow every cursor.
            .example("alpha", arguments: ["--page-size", "2", "--count-initialize", initializeLog]),
            ConfigFile.Server(name: "missing", command: directory.path + "/no-such-server", arguments: []),
            .example("crashing", arguments: ["--exit-at-start"]),
        ])
        let path = try directory.write("check.yaml", config.text)

        let start = ContinuousClock.now
        let table = try await CommandRun.run(Binaries.proxy, ["check", path])
        XCTAssertEqual(table.status, 1, table.output)
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(10), "broken upstreams fail fast, not at the timeout")
        let lines = table.output.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.first?.split(separator: " ", omittingEmptySubsequences: true),
                       ["UPSTREAM", "TRANSPORT", "ERA", "VERSION", "SERVER", "TOOLS", "PROMPTS", "RESOURCES", "TEMPLATES", "HANDSHAKE", "PROBLEM"],
                       table.output)
        let alpha = try XCTUnwrap(lines.first { $0.hasPrefix("alpha ") }, table.output)
        XCTAssertEqual(Array(words(alpha).prefix(10)),
                       ["alpha", "stdio", "initialize", "2025-11-25", "example-server-alpha", "1.0.0"] + Self.exampleCounts, alpha)
        XCTAssertTrue(words(alpha)[10].first?.isNumber == true && words(alpha)[11] == "ms", "handshake latency in ms: \(alpha)")
        XCTAssertEqual(words(alpha).count, 12, "no problem for alpha: \(alpha)")

        let missing = try XCTUnwrap(lines.first { $0.hasPrefix("missing ") }, table.output)
        XCTAssertEqual(Array(words(missing).prefix(10)), ["missing", "stdio", "initialize", "-", "-", "-", "-", "-", "-", "-"], missing)
        XCTAssertTrue(missing.contains("failed to start"), missing)
        XCTAssertTrue(missing.contains("no-such-server"), "the problem names the command: \(missing)")

        let crashing = try XCTUnwrap(lines.first { $0.hasPrefix("crashing ") }, table.output)
        XCTAssertEqual(Array(words(crashing).prefix(10)), ["crashing", "stdio", "initialize", "-", "-", "-", "-", "-", "-", "-"], crashing)
        XCTAssertTrue(crashing.contains("exited with status 3"), crashing)
        XCTAssertTrue(crashing.contains("(stderr: example-server crashing: exiting at start on purpose)"), "the child's last stderr line: \(crashing)")
        XCTAssertEqual(lines.last, "3 upstreams checked: 2 failed", table.output)

        // The good upstream's child was started and is gone again.
        let pids = try childPIDs(initializeLog)
        XCTAssertEqual(pids.count, 1, "alpha was initialized once")
        for pid in pids { XCTAssertFalse(ProcessTable.isAlive(pid), "alpha's child \(pid) must have exited with the check") }

        let json = try await CommandRun.run(Binaries.proxy, ["check", path, "--json"])
        XCTAssertEqual(json.status, 1, json.output)
        let document = try jsonObject(json.output)
        XCTAssertEqual(document["ok"] as? Bool, false)
        XCTAssertEqual(document["config"] as? String, path)
        XCTAssertEqual(document["timeoutSeconds"] as? Double, 15)
        let upstreams = try XCTUnwrap(document["upstreams"] as? [[String: Any]], json.output)
        XCTAssertEqual(upstreams.map { $0["name"] as? String }, ["alpha", "missing", "crashing"])
        let good = upstreams[0]
        XCTAssertEqual(good["ok"] as? Bool, true)
        XCTAssertTrue(good["problem"] is NSNull, "\(good)")
        XCTAssertEqual(good["transport"] as? String, "stdio")
        XCTAssertEqual(good["era"] as? String, "initialize")
        XCTAssertEqual(good["protocolVersion"] as? String, "2025-11-25")
        XCTAssertEqual(good["replica"] as? Int, 0)
        let server = try XCTUnwrap(good["server"] as? [String: Any])
        XCTAssertEqual(server["name"] as? String, "example-server-alpha")
        XCTAssertEqual(server["version"] as? String, "1.0.0")
        XCTAssertEqual([good["tools"], good["prompts"], good["resources"], good["resourceTemplates"]].map { $0 as? Int }, [13, 1, 2, 1])
        let handshake = try XCTUnwrap(good["handshakeMs"] as? Double, "\(good)")
        XCTAssertGreaterThan(handshake, 0)
        XCTAssertLessThan(handshake, 15_000)
        XCTAssertEqual(good["stderr"] as? [String], [])
        for broken in upstreams.dropFirst() {
            XCTAssertEqual(broken["ok"] as? Bool, false, "\(broken)")
            XCTAssertTrue((broken["problem"] as? String)?.isEmpty == false, "\(broken)")
            for key in ["protocolVersion", "server", "tools", "prompts", "resources", "resourceTemplates", "handshakeMs"] {
                XCTAssertTrue(broken[key] is NSNull, "\(key) is null for a failed upstream: \(broken)")
            }
        }
        XCTAssertEqual(upstreams[2]["stderr"] as? [String], ["example-server crashing: exiting at start on purpose"])
        for pid in try childPIDs(initializeLog) { XCTAssertFalse(ProcessTable.isAlive(pid)) }
    }

    func testEveryTransportOfAnAllGoodConfigExitsZero() async throws {
        let directory = try makeDirectory()
        let remote = try await startExample("remote", in: directory)
        let config = NetworkConfigText.make([
            .stdio(name: "local"),
            .remote(name: "streamable", url: remote.base + "/mcp", type: nil),
            .remote(name: "legacy", url: remote.base + "/sse", type: "sse"),
            .remote(name: "socket", url: "ws://127.0.0.1:\(remote.port)/ws", type: nil),
        ])
        let path = try directory.write("good.yaml", config)

        let table = try await CommandRun.run(Binaries.proxy, ["check", path])
        XCTAssertEqual(table.status, 0, table.output)
        let lines = table.output.split(separator: "\n").map(String.init)
        for (name, transport, server) in [
            ("local", "stdio", "example-server-local"), ("streamable", "streamable-http", "example-server-remote"),
            ("legacy", "sse", "example-server-remote"), ("socket", "websocket", "example-server-remote"),
        ] {
            let line = try XCTUnwrap(lines.first { $0.hasPrefix(name + " ") }, table.output)
            XCTAssertEqual(Array(words(line).prefix(10)), [name, transport, "initialize", "2025-11-25", server, "1.0.0"] + Self.exampleCounts, line)
            XCTAssertEqual(words(line).count, 12, "no problem: \(line)")
        }
        XCTAssertEqual(lines.last, "4 upstreams checked: all fine", table.output)

        let json = try await CommandRun.run(Binaries.proxy, ["check", "--json", path])
        XCTAssertEqual(json.status, 0, json.output)
        let document = try jsonObject(json.output)
        XCTAssertEqual(document["ok"] as? Bool, true)
        let upstreams = try XCTUnwrap(document["upstreams"] as? [[String: Any]])
        XCTAssertEqual(upstreams.map { $0["transport"] as? String }, ["stdio", "streamable-http", "sse", "websocket"])
        XCTAssertEqual(upstreams.map { $0["ok"] as? Bool }, [true, true, true, true])
    }

    func testAReplicaIsCheckedOnItsOwnRow() async throws {
        let directory = try makeDirectory()
        let remote = try await startExample("remote", in: directory)
        let path = try directory.write("replicas.yaml", """
            mcpServers:
              pair:
                command: \(ConfigFile.quote(Binaries.exampleServer))
                args: ["--name", "pair"]
                replicas:
                  - { url: \(ConfigFile.quote(remote.base + "/mcp")) }
                  - { command: \(ConfigFile.quote(Binaries.exampleServer)), args: ["--exit-at-start"] }

            """)
        let json = try await CommandRun.run(Binaries.proxy, ["check", "--json", path])
        XCTAssertEqual(json.status, 1, json.output)
        let upstreams = try XCTUnwrap(try jsonObject(json.output)["upstreams"] as? [[String: Any]])
        XCTAssertEqual(upstreams.map { $0["name"] as? String }, ["pair", "pair", "pair"])
        XCTAssertEqual(upstreams.map { $0["replica"] as? Int }, [0, 1, 2])
        XCTAssertEqual(upstreams.map { $0["transport"] as? String }, ["stdio", "streamable-http", "stdio"])
        XCTAssertEqual(upstreams.map { $0["ok"] as? Bool }, [true, true, false])

        let table = try await CommandRun.run(Binaries.proxy, ["check", path])
        XCTAssertEqual(table.status, 1, table.output)
        XCTAssertTrue(table.output.contains("\npair[1] "), table.output)
        XCTAssertTrue(table.output.contains("\npair[2] "), table.output)
    }

    func testAnUpstreamThatNeverAnswersTimesOutAndItsStubbornChildIsKilled() async throws {
        let directory = try makeDirectory()
        let fds = directory.path + "/fds"
        try FileManager.default.createDirectory(atPath: fds, withIntermediateDirectories: true)
        let config = ConfigFile(
            servers: [
                .example("fine"),
                // Reads everything, answers nothing, ignores EOF and SIGTERM.
                .example("silent", arguments: ["--hang-after", "0", "--ignore-eof-and-sigterm", "--report-inherited-fds", fds]),
            ],
            proxy: ["upstreams: { shutdownGraceSeconds: 0.5 }"])
        let path = try directory.write("hang.yaml", config.text)

        let start = ContinuousClock.now
        let run = try await CommandRun.run(Binaries.proxy, ["check", path, "--timeout", "1.5"])
        let elapsed = ContinuousClock.now - start
        XCTAssertEqual(run.status, 1, run.output)
        XCTAssertLessThan(elapsed, .seconds(8), "1.5 s of timeout, then a 0.5 s grace and SIGKILL")
        let silent = try XCTUnwrap(run.output.split(separator: "\n").first { $0.hasPrefix("silent ") }.map(String.init), run.output)
        XCTAssertTrue(silent.contains("timed out after 1.5 s waiting for the answer to initialize"), silent)
        let fine = try XCTUnwrap(run.output.split(separator: "\n").first { $0.hasPrefix("fine ") }.map(String.init), run.output)
        XCTAssertEqual(words(fine).count, 12, "the other upstream is fine: \(fine)")

        let reports = try FileManager.default.contentsOfDirectory(atPath: fds).filter { $0.hasPrefix("fds-") }
        XCTAssertEqual(reports.count, 1, "the silent child started once: \(reports)")
        for report in reports {
            let pid = try XCTUnwrap(Int32(report.dropFirst("fds-".count).dropLast(".txt".count)), report)
            XCTAssertFalse(ProcessTable.isAlive(pid), "the stubborn child \(pid) was killed before the check exited")
        }
    }

    func testAnInvalidConfigExitsTwo() async throws {
        let directory = try makeDirectory()
        let path = try directory.write("bad.yaml", """
            mcpServers:
              alpha:
                comand: x

            """)
        let table = try await CommandRun.run(Binaries.proxy, ["check", path])
        XCTAssertEqual(table.status, 2, table.output)
        XCTAssertTrue(table.output.contains("\(path):3: mcpServers.alpha.comand: unknown key in a server entry; did you mean 'command'?"), table.output)

        let json = try await CommandRun.run(Binaries.proxy, ["check", path, "--json"])
        XCTAssertEqual(json.status, 2, json.output)
        let document = try jsonObject(json.output)
        XCTAssertEqual(document["ok"] as? Bool, false)
        XCTAssertEqual((document["upstreams"] as? [Any])?.count, 0)
        let problems = try XCTUnwrap(document["configProblems"] as? [String], json.output)
        XCTAssertTrue(problems.contains { $0.contains("mcpServers.alpha.comand") }, "\(problems)")

        let missing = try await CommandRun.run(Binaries.proxy, ["check", directory.path + "/absent.yaml"])
        XCTAssertEqual(missing.status, 2, missing.output)
    }

    // MARK: Helpers

    private func words(_ line: String) -> [String] {
        line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
    }

    private func jsonObject(_ text: String) throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            throw IntegrationFailure("not a JSON object:\n\(text)")
        }
        return object
    }

    /// The pids in an example server's `--count-initialize` file.
    private func childPIDs(_ file: String) throws -> [Int32] {
        let text = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { $0.split(separator: " ").first.flatMap { Int32($0) } }
    }
}
