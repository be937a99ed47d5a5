import Foundation
import JSONRPC
import Logging
import MCPConfig
@testable import MCPGateway
import MCPStats
import MCPTransports
import Synchronization
import XCTest

/// The access log: the line formats, the bounded writer, and a real gateway in front of a real
/// `example-server` writing its lines to a file.
final class AccessLogTests: NetworkTestCase {
    // MARK: Formats

    private let sample = AccessLogRecord(
        time: 1_796_515_200_123_456_789, principal: "alice", session: "http:*:1a2b3c4d", method: "tools/call",
        name: "alpha__echo", upstream: "alpha", id: "7", latencyNanoseconds: 12_345_678, outcome: .ok,
        bytesIn: 120, bytesOut: 88)

    func testTextLineIsLogfmtInAFixedOrder() {
        XCTAssertEqual(AccessLogFormat.line(sample, format: .text),
                       "time=2026-12-06T00:00:00.123Z principal=alice session=http:*:1a2b3c4d method=tools/call name=alpha__echo "
                       + "upstream=alpha id=7 outcome=ok latency_ms=12.345 bytes_in=120 bytes_out=88")
    }

    func testJSONLineIsOneObjectWithTheSameFields() throws {
        let line = AccessLogFormat.line(sample, format: .json)
        XCTAssertEqual(line, #"{"time":"2026-12-06T00:00:00.123Z","principal":"alice","session":"http:*:1a2b3c4d","method":"tools/call","#
                       + #""name":"alpha__echo","upstream":"alpha","id":7,"outcome":"ok","latency_ms":12.345,"bytes_in":120,"bytes_out":88}"#)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        XCTAssertEqual(object["latency_ms"] as? Double, 12.345)
    }

    func testValuesThatNeedItAreQuotedAndEscaped() throws {
        let awkward = AccessLogRecord(
            time: 0, principal: "CN=ops bot,O=\"Acme\"", session: nil, method: "resources/read",
            name: "file:///tmp/a b\nc\\d\u{1}é", id: #""abc""#, outcome: .refused(reason: "rateLimited", code: -32029), bytesIn: 10)
        let text = AccessLogFormat.line(awkward, format: .text)
        XCTAssertEqual(text, #"time=1970-01-01T00:00:00.000Z principal="CN=ops bot,O=\"Acme\"" method=resources/read "#
                       + #"name="file:///tmp/a b\nc\\d\u0001é" id="abc" outcome=refused code=-32029 reason=rateLimited bytes_in=10"#)
        XCTAssertFalse(text.contains("\n"), "one line whatever the values")
        let json = AccessLogFormat.line(awkward, format: .json)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        XCTAssertEqual(object["principal"] as? String, "CN=ops bot,O=\"Acme\"")
        XCTAssertEqual(object["name"] as? String, "file:///tmp/a b\nc\\d\u{1}é")
        XCTAssertEqual(object["id"] as? String, "abc", "a string id is the JSON string it was")
        XCTAssertEqual(AccessLogFormat.line(AccessLogRecord(time: 0, id: "\"a\nb", outcome: .ok), format: .text),
                       #"time=1970-01-01T00:00:00.000Z id="\"a\nb" outcome=ok"#, "not a JSON token: escaped like any value")
        XCTAssertEqual(object["code"] as? Int, -32029)
        XCTAssertNil(object["session"], "absent fields are left out")
        XCTAssertNil(object["latency_ms"])
        XCTAssertEqual(AccessLogFormat.line(AccessLogRecord(time: 0, principal: "", outcome: .timeout), format: .text),
                       #"time=1970-01-01T00:00:00.000Z principal="" outcome=timeout"#, "an empty value is quoted")
    }

    // MARK: Writer

    func testIncludeErrorsLeavesOutSuccessesAndLocalAnswers() {
        let lines = CapturedLines()
        let log = AccessLog(format: .text, include: .errors, logger: lines.logger)
        log.record(AccessLogRecord(time: 0, method: "tools/call", outcome: .ok))
        log.record(AccessLogRecord(time: 0, method: "tools/list", outcome: .local))
        log.record(AccessLogRecord(time: 0, method: "tools/call", outcome: .error(code: -32602)))
        log.record(AccessLogRecord(time: 0, method: "tools/call", outcome: .cancelled))
        log.flush()
        XCTAssertEqual(lines.all.map { $0.contains("outcome=error code=-32602") || $0.contains("outcome=cancelled") }, [true, true], "\(lines.all)")
    }

    func testAFullQueueDropsAndCountsInsteadOfBlocking() throws {
        let stats = StatsRegistry(significantDigits: 2)
        let gate = BlockingLines()
        let log = AccessLog(format: .text, include: .all, logger: gate.logger, stats: stats, writer: AccessLogWriter(capacity: 2))
        log.record(AccessLogRecord(time: 0, outcome: .ok))      // taken by the writer, which then blocks
        try gate.waitUntilBlocked()
        let start = ContinuousClock.now
        for _ in 0..<10 { log.record(AccessLogRecord(time: 0, outcome: .ok)) }
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(2), "recording never waits for the writer (which stays blocked)")
        let dropped = stats.counter("mcp_proxy_access_log_dropped_total", help: "")
        XCTAssertEqual(dropped.value, 8, "2 queued, 8 dropped")
        gate.release()
        log.flush()
        XCTAssertEqual(gate.count, 3)
    }

    func testBatchesReachTheFileAsWholeLines() throws {
        let directory = try makeDirectory()
        let path = directory.path + "/batch.log"
        let log = try AccessLog(settings: AccessLogSettings(format: .json, destination: .file(path), include: .all))
        let long = String(repeating: "x", count: 5000)   // a line longer than one write chunk
        for index in 0..<3000 {
            log.record(AccessLogRecord(time: 0, method: "tools/call", name: index == 1500 ? long : "tool-\(index)", id: String(index), outcome: .ok))
        }
        log.flush()
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 3000)
        let ids = try lines.map { line -> Int in
            let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], String(line.prefix(200)))
            return try XCTUnwrap(object["id"] as? Int)
        }
        XCTAssertEqual(ids, Array(0..<3000), "every line whole, in order")
    }

    // MARK: End to end

    func testAGatewayLogsEveryRequestWithItsOutcomeToAFile() async throws {
        try Binaries.check()
        let directory = try makeDirectory()
        let logPath = directory.path + "/access.log"
        let key = "ci-bot-key-0123456789abcdef"
        let text = """
        {"mcpServers":{"alpha":{"command":"\(Binaries.exampleServer)","args":["--name","alpha"],"toolTimeouts":{"slow":0.3}}},
         "proxy":{"listen":{"host":"127.0.0.1","port":0},
                  "auth":{"resource":"http://127.0.0.1/mcp","apiKeys":[{"name":"ci-bot","key":"\(key)"}]},
                  "rateLimits":[{"per":"principal+tool","tools":["alpha__add"],"rate":0.001,"burst":1}],
                  "accessLog":{"format":"json","destination":"\(logPath)"}}}
        """
        let config = try ConfigLoader.load(text: text, sourceName: "<test>", environment: [:])
        let gateway = Gateway(config: config, logger: NetworkTestClient.quietLogger, endsAllChildren: false)
        let addresses = try await gateway.start(.network)
        addTeardownBlock { await gateway.stop(grace: .seconds(1)) }
        let url = try XCTUnwrap(addresses.mcp)

        let configuration = RemoteUpstreamConfiguration(url: url, kind: .streamableHTTP, headers: ["X-API-Key": key],
                                                        requestTimeout: .seconds(30), connectTimeout: .seconds(5))
        let client = try await connect(NetworkTestClient(
            label: "log", transport: RemoteUpstreamTransport.make(name: "log", configuration: configuration, logger: NetworkTestClient.quietLogger)))
        let echo = try await client.callTool("alpha__echo", arguments: #"{"text":"hi"}"#)
        XCTAssertNil(echo.errorCode, "\(echo)")
        let first = try await client.callTool("alpha__add", arguments: #"{"a":1,"b":2}"#)
        XCTAssertNil(first.errorCode, "\(first)")
        let limited = try await client.callTool("alpha__add", arguments: #"{"a":1,"b":2}"#)
        XCTAssertNotNil(limited.errorCode, "the second add is over the rate limit: \(limited)")
        let missing = try await client.call("resources/read", params: #"{"uri":"example://nope"}"#)
        XCTAssertEqual(missing.errorCode, -32002, "\(missing)")
        let slow = try await client.callTool("alpha__slow", arguments: #"{"seconds":5}"#)
        XCTAssertEqual(slow.errorCode, -32001, "\(slow)")

        // Nobody authenticated: the front refuses with 401 before any session exists.
        let port = try XCTUnwrap(URLComponents(string: url)?.port)
        let raw = try RawHTTPConnection(port: port)
        defer { raw.close() }
        XCTAssertTrue(raw.sendRequest("POST", "/mcp", headers: [("Content-Type", "application/json"), ("Accept", "application/json, text/event-stream")],
                                      body: Array(#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#.utf8), port: port))
        XCTAssertEqual(try raw.readHead().status, 401)

        let entries = try await eventuallyLines(logPath, atLeast: 7)
        func entry(_ outcome: String, _ name: String? = nil) -> [String: Any]? {
            entries.first { $0["outcome"] as? String == outcome && (name == nil || $0["name"] as? String == name) }
        }
        let initialize = try XCTUnwrap(entries.first { $0["method"] as? String == "initialize" }, "\(entries)")
        XCTAssertEqual(initialize["outcome"] as? String, "local")
        let ok = try XCTUnwrap(entry("ok", "alpha__echo"), "\(entries)")
        XCTAssertEqual(ok["principal"] as? String, "ci-bot")
        XCTAssertEqual(ok["upstream"] as? String, "alpha")
        XCTAssertEqual(ok["method"] as? String, "tools/call")
        XCTAssertTrue((ok["session"] as? String)?.hasPrefix("http:*:") ?? false, "\(ok)")
        XCTAssertGreaterThan(ok["bytes_in"] as? Int ?? 0, 40)
        XCTAssertGreaterThan(ok["bytes_out"] as? Int ?? 0, 20)
        XCTAssertNotNil(ok["latency_ms"] as? Double)
        XCTAssertEqual(ok["id"] as? String, "log-2")
        XCTAssertTrue((ok["time"] as? String)?.hasSuffix("Z") ?? false)
        let refused = try XCTUnwrap(entry("refused", "alpha__add"), "\(entries)")
        XCTAssertEqual(refused["reason"] as? String, "rateLimited")
        XCTAssertEqual(refused["code"] as? Int, Int(try XCTUnwrap(limited.errorCode)))
        let error = try XCTUnwrap(entry("error", "example://nope"), "\(entries)")
        XCTAssertEqual(error["code"] as? Int, -32002)
        XCTAssertEqual(error["method"] as? String, "resources/read")
        let timeout = try XCTUnwrap(entry("timeout", "alpha__slow"), "\(entries)")
        XCTAssertGreaterThanOrEqual(timeout["latency_ms"] as? Double ?? 0, 250)
        let unauthorized = try XCTUnwrap(entries.first { $0["status"] as? Int == 401 }, "\(entries)")
        XCTAssertEqual(unauthorized["outcome"] as? String, "refused")
        XCTAssertEqual(unauthorized["reason"] as? String, "missing")
        XCTAssertEqual(unauthorized["http"] as? String, "POST /mcp")
        XCTAssertEqual(gateway.stats.counter("mcp_proxy_auth_failures_total", help: "", labels: ["reason": "missing"]).value, 1)
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

/// A logger whose lines are kept.
private final class CapturedLines: Sendable {
    private let lines = Mutex<[String]>([])

    var logger: Logger {
        Logger(label: AccessLog.label) { _ in Handler(owner: self) }
    }

    var all: [String] { lines.withLock { $0 } }

    struct Handler: LogHandler {
        let owner: CapturedLines
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            owner.lines.withLock { $0.append(event.message.description) }
        }
    }
}

/// A logger whose first write blocks until released: a writer thread stuck on a slow disk.
private final class BlockingLines: Sendable {
    private let state = Mutex((count: 0, released: false))
    private let blocked = DispatchSemaphore(value: 0)
    private let gate = DispatchSemaphore(value: 0)

    var logger: Logger {
        Logger(label: AccessLog.label) { _ in Handler(owner: self) }
    }

    var count: Int { state.withLock { $0.count } }

    func waitUntilBlocked() throws {
        guard blocked.wait(timeout: .now() + 5) == .success else { throw IntegrationFailure("the writer never wrote") }
    }

    func release() {
        state.withLock { $0.released = true }
        gate.signal()
    }

    fileprivate func write() {
        let first = state.withLock { state -> Bool in
            state.count += 1
            return state.count == 1
        }
        if first {
            blocked.signal()
            gate.wait()
        }
    }

    struct Handler: LogHandler {
        let owner: BlockingLines
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            owner.write()
        }
    }
}
