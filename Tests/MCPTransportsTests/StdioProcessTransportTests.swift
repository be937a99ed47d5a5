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
