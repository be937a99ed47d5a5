import Logging
import MCPTransports
import NIOCore
import XCTest

final class StdioProcessTransportTests: XCTestCase {
    private let logger = Logger(label: "test")

    private func shell(_ script: String, grace: Duration = .seconds(5), maxLine: Int = 1 << 20, env: [String: String] = [:], inherit: Bool = true, cwd: String? = nil) -> StdioProcessTransport {
        StdioProcessTransport(
            name: "sh",
            configuration: StdioProcessConfiguration(
                command: "sh", arguments: ["-c", script], environment: env, inheritEnvironment: inherit,
                workingDirectory: cwd, maxLineBytes: maxLine, shutdownGrace: grace),
            logger: logger)
    }

    func testEchoesLinesBothWays() async throws {
        let transport = shell("while IFS= read -r line; do printf '%s\\n' \"$line\"; done")
        let sink = FrameCollector()
        try await transport.start(sink: sink)
        XCTAssertTrue(transport.send(ByteBuffer(text: #"{"a":1}"#)))
        XCTAssertTrue(transport.send(ByteBuffer(text: #"{"b":2}"#)))
        let got = await sink.wait { $0.messages.count == 2 }
        XCTAssertTrue(got)
        XCTAssertEqual(sink.messages, [#"{"a":1}"#, #"{"b":2}"#])
        await transport.close()
        XCTAssertEqual(sink.closeReason, .closedLocally)
    }

    func testRawLineBreaksInsideAMessageAreFlattenedToOneLine() async throws {
        let transport = shell("while IFS= read -r line; do printf '%s\\n' \"$line\"; done")
        let sink = FrameCollector()
        try await transport.start(sink: sink)
        transport.send(ByteBuffer(text: "{\"a\":\r\n 1}"))
        _ = await sink.wait { $0.messages.count == 1 }
        XCTAssertEqual(sink.messages, ["{\"a\":   1}"])
        await transport.close()
    }

    func testUnexpectedExitIsReportedWithStatusAfterItsOutput() async throws {
        let transport = shell("printf '{\"last\":true}\\n'; exit 3")
        let sink = FrameCollector()
        try await transport.start(sink: sink)
        let closed = await sink.wait { $0.closeReason != nil }
        XCTAssertTrue(closed)
        XCTAssertEqual(sink.messages, [#"{"last":true}"#])
        XCTAssertEqual(sink.closeReason, .processExited(status: 3))
        XCTAssertFalse(transport.send(ByteBuffer(text: "{}")))
    }

    func testOversizedLineIsSkippedAndTheStreamContinues() async throws {
        let transport = shell("head -c 5000 /dev/zero | tr '\\0' 'x'; printf '\\n{\"ok\":1}\\n'; sleep 1", maxLine: 1000)
        let sink = FrameCollector()
        try await transport.start(sink: sink)
        _ = await sink.wait { $0.messages.count == 1 }
        XCTAssertEqual(sink.oversizedCounts, [5000])
        XCTAssertEqual(sink.messages, [#"{"ok":1}"#])
        await transport.close()
    }

    /// A 20 MB response line over the 16 MiB limit: dropped, but reported with its first and last
    /// 512 bytes, where the proxy finds the id of the request it answered.
    func testOversizedLineIsReportedWithItsFirstAndLastBytes() async throws {
        let head = #"{"jsonrpc":"2.0","id":42,"result":{"content":[{"type":"text","text":""#
        let script = "printf '%s' '\(head)'; head -c 20000000 /dev/zero | tr '\\0' 'x'; printf '\"}]},\"id2\":7}\\r\\n{\"ok\":1}\\n'; sleep 1"
        let transport = shell(script, maxLine: 16 << 20)
        let sink = FrameCollector()
        try await transport.start(sink: sink)
        let delivered = await sink.wait(seconds: 30) { $0.messages.count == 1 }
        XCTAssertTrue(delivered, "the line after the oversized one still arrives")
        XCTAssertEqual(sink.messages, [#"{"ok":1}"#])
        let frame = try XCTUnwrap(sink.oversized.first)
        XCTAssertEqual(sink.oversized.count, 1)
        XCTAssertEqual(frame.byteCount, head.utf8.count + 20_000_000 + #""}]},"id2":7}"#.utf8.count + 1, "the count includes the \\r")
        XCTAssertEqual(frame.limit, 16 << 20)
        let prefix = String(buffer: try XCTUnwrap(frame.prefix))
        XCTAssertEqual(prefix.utf8.count, 512)
        XCTAssertTrue(prefix.hasPrefix(head), prefix)
        let suffix = String(buffer: try XCTUnwrap(frame.suffix))
        XCTAssertEqual(suffix.utf8.count, 511, "512 bytes less the \\r")
        XCTAssertTrue(suffix.hasSuffix(#"xx"}]},"id2":7}"#), suffix)
        await transport.close()
    }

    /// A short oversized line (whole in one read) has its excerpts too.
    func testShortOversizedLineExcerpts() async throws {
        let transport = shell("printf '{\"id\":\"abc\",'; head -c 3000 /dev/zero | tr '\\0' 'y'; printf 'END\\n{\"ok\":2}\\n'; sleep 1", maxLine: 1000)
        let sink = FrameCollector()
        try await transport.start(sink: sink)
        _ = await sink.wait { $0.messages.count == 1 }
        let frame = try XCTUnwrap(sink.oversized.first)
        XCTAssertEqual(frame.byteCount, #"{"id":"abc","#.utf8.count + 3000 + 3)
        XCTAssertTrue(String(buffer: try XCTUnwrap(frame.prefix)).hasPrefix(#"{"id":"abc",yyy"#))
        XCTAssertTrue(String(buffer: try XCTUnwrap(frame.suffix)).hasSuffix("yyyEND"))
        XCTAssertEqual(sink.messages, [#"{"ok":2}"#])
        await transport.close()
    }

    /// The proxy's last step on exit: every child still running gets SIGTERM, then SIGKILL after
    /// the grace, and is reaped before `terminateAll` returns, also when it ignores both stdin EOF
    /// and SIGTERM and its transport was never closed.
    func testTerminateAllEscalatesForEveryLiveChild() async throws {
        let stubborn = shell("trap '' TERM; while true; do sleep 0.1; done", grace: .seconds(30))
        let polite = shell("while true; do sleep 0.1; done", grace: .seconds(30))
        let stubbornSink = FrameCollector()
        let politeSink = FrameCollector()
        try await stubborn.start(sink: stubbornSink)
        try await polite.start(sink: politeSink)
        let stubbornPID = try XCTUnwrap(stubborn.processID)
        let politePID = try XCTUnwrap(polite.processID)
        XCTAssertGreaterThanOrEqual(ChildProcess.liveCount, 2)
        try await Task.sleep(for: .milliseconds(100))  // let the shells install their traps

        let started = ContinuousClock.now
        let killed = await ChildProcess.terminateAll(grace: .milliseconds(500), final: false)
        let elapsed = ContinuousClock.now - started
        XCTAssertEqual(killed, [stubbornPID], "only the child that ignored SIGTERM needed SIGKILL")
        XCTAssertFalse(isRunning(stubbornPID))
        XCTAssertFalse(isRunning(politePID))
        XCTAssertLessThan(elapsed, .seconds(3), "grace (0.5 s) plus the kill, not the transports' own 30 s grace")
        XCTAssertEqual(ChildProcess.liveCount, 0, "every child is reaped")
        let reported = await stubbornSink.wait { $0.closeReason != nil }
        XCTAssertTrue(reported)
        XCTAssertEqual(stubbornSink.closeReason, .processExited(status: -9))
        XCTAssertEqual(politeSink.closeReason, .processExited(status: -15))
    }

    func testShutdownEscalatesToSigkillForAProcessThatIgnoresStdinAndSigterm() async throws {
        let transport = shell("trap '' TERM; while true; do sleep 0.1; done", grace: .milliseconds(300))
        let sink = FrameCollector()
        try await transport.start(sink: sink)
        let pid = try XCTUnwrap(transport.processID)
        let started = ContinuousClock.now
        await transport.close()
        let elapsed = ContinuousClock.now - started
        XCTAssertFalse(isRunning(pid), "the process must be gone")
        XCTAssertLessThan(elapsed, .seconds(10))
        XCTAssertEqual(sink.closeReason, .closedLocally)
    }

    func testGrandchildrenInTheProcessGroupAreTerminatedToo() async throws {
        let marker = FileManager.default.temporaryDirectory.appendingPathComponent("grandchild-\(UUID().uuidString)").path
        let transport = shell("sh -c 'echo $$ > \(marker); exec sleep 60' & wait", grace: .milliseconds(300))
        try await transport.start(sink: FrameCollector())
        var grandchild: Int32?
        for _ in 0..<200 where grandchild == nil {
            if let text = try? String(contentsOfFile: marker, encoding: .utf8), let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                grandchild = pid
            } else {
                try await Task.sleep(for: .milliseconds(10))
            }
        }
        let pid = try XCTUnwrap(grandchild)
        await transport.close()
        try await Task.sleep(for: .milliseconds(100))
        XCTAssertFalse(isRunning(pid), "the grandchild must be gone with its group")
    }

    func testEnvironmentAndWorkingDirectory() async throws {
        let transport = shell("printf '%s|%s|%s\\n' \"$MCP_TEST_VAR\" \"$(pwd)\" \"${HOME:-unset}\"", env: ["MCP_TEST_VAR": "hello"], inherit: false, cwd: "/tmp")
        let sink = FrameCollector()
        try await transport.start(sink: sink)
        _ = await sink.wait { $0.closeReason != nil }
        XCTAssertEqual(sink.messages, ["hello|/tmp|unset"])
    }

    func testInheritedEnvironmentIsVisibleAndOverridable() async throws {
        let transport = shell("printf '%s|%s\\n' \"${PATH:+has-path}\" \"$MCP_TEST_VAR\"", env: ["MCP_TEST_VAR": "over"])
        let sink = FrameCollector()
        try await transport.start(sink: sink)
        _ = await sink.wait { $0.closeReason != nil }
        XCTAssertEqual(sink.messages, ["has-path|over"])
    }

    func testMissingCommandFailsToStartWithAClearError() async {
        let transport = StdioProcessTransport(
            name: "nope", configuration: StdioProcessConfiguration(command: "definitely-not-a-command-xyz"), logger: logger)
        do {
            try await transport.start(sink: FrameCollector())
            XCTFail("start must fail")
        } catch {
            XCTAssertTrue(error.message.contains("definitely-not-a-command-xyz"), error.message)
        }
    }

    func testLoudStandardErrorDoesNotBlockTheChild() async throws {
        // 1 MiB of stderr would fill the pipe and deadlock the child if nobody drained it.
        let transport = shell("head -c 1048576 /dev/zero | tr '\\0' 'e' | fold -w 1000 >&2; printf 'done\\n'")
        let sink = FrameCollector()
        try await transport.start(sink: sink)
        let finished = await sink.wait { $0.closeReason != nil }
        XCTAssertTrue(finished)
        XCTAssertEqual(sink.messages, ["done"])
        XCTAssertEqual(sink.closeReason, .processExited(status: 0))
    }
}

/// True while `pid` exists and is not a zombie (PID 1 in a container may never reap orphans).
func isRunning(_ pid: Int32) -> Bool {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return false }
    guard let close = stat.lastIndex(of: ")") else { return false }
    let state = stat[stat.index(close, offsetBy: 2)...].prefix(1)
    return state != "Z" && state != "X"
}
