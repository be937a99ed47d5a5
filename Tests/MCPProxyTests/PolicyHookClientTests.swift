import Foundation
import JSONRPC
import Logging
import MCPProxy
import MCPStats
import XCTest

/// A policy hook written for these tests (Python's http.server, HTTP/1.1 keep-alive), scripted by
/// tool name; it appends every decision request it gets, with the client's port, as one JSON
/// line to the file named by its first argument.
private let hookServerScript = #"""
import json, sys, time, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOG = sys.argv[1]
LOCK = threading.Lock()

class Hook(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, *args):
        pass

    def send_json(self, status, payload):
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        with LOCK, open(LOG, "a") as log:
            log.write(json.dumps({"port": self.client_address[1], "body": body}) + "\n")
        tool, phase = body.get("tool"), body.get("phase")
        if tool == "slow":
            time.sleep(1.5)
        if tool == "broken":
            return self.send_json(500, {"error": "down"})
        if tool == "garbage":
            return self.send_json(200, b"not json")
        if phase == "request":
            if tool == "deny_me":
                return self.send_json(200, {"decision": "deny", "reason": "not on weekends"})
            if tool == "rewrite":
                return self.send_json(200, {"decision": "allow", "arguments": {"rewritten": True}})
        else:
            if tool == "withhold":
                return self.send_json(200, {"decision": "deny", "reason": "contains PII"})
            if tool == "replace":
                return self.send_json(200, {"decision": "allow", "result": {"content": [{"type": "text", "text": "replaced"}]}})
        self.send_json(200, {"decision": "allow"})

server = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
print(server.server_address[1], flush=True)
server.serve_forever()
"""#

/// The policy hook client against a real HTTP server: the wire format, every decision, rewrites
/// and replacements, timeouts and errors with `failOpen` both ways, and kept-alive connections.
final class PolicyHookClientTests: XCTestCase {
    private var process: Process?
    private var port = 0
    private var logFile = ""
    private let logger = Logger(label: "policy-hook-tests", factory: { _ in SwiftLogNoOpLogHandler() })

    override func setUp() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("policy-hook-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let script = directory.appendingPathComponent("hook.py")
        try hookServerScript.write(to: script, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        logFile = directory.appendingPathComponent("log.jsonl").path
        process.arguments = ["python3", script.path, logFile]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        self.process = process
        var line: [UInt8] = []
        while true {
            let byte = output.fileHandleForReading.readData(ofLength: 1)
            guard let first = byte.first else { throw TestFailure("the hook server exited before printing its port") }
            if first == UInt8(ascii: "\n") { break }
            line.append(first)
        }
        port = Int(String(decoding: line, as: UTF8.self)) ?? 0
        XCTAssertGreaterThan(port, 0)
    }

    override func tearDown() async throws {
        // SIGKILL: the child inherits the test process's blocked signals, SIGTERM among them.
        guard let process else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    private func client(timeout: Duration = .seconds(2), failOpen: Bool = false, response: Bool = false,
                        stats: StatsRegistry = StatsRegistry(), url: String? = nil) throws -> PolicyHookClient {
        try PolicyHookClient(.init(url: url ?? "http://127.0.0.1:\(port)/mcp-policy", timeout: timeout, failOpen: failOpen, response: response),
                             stats: stats, logger: logger)
    }

    private func call(_ tool: String, arguments: String = #"{"q":"x"}"#) -> GovernedCall {
        GovernedCall(method: "tools/call", name: "alpha__\(tool)", tool: tool, upstream: "alpha", arguments: Array(arguments.utf8),
                     principal: Principal(subject: "alice", issuer: nil, roles: ["dev", "ops"], scopes: ["tools.call"], method: .jwt),
                     session: "http:*:1a2b3c4d", endpoint: "/mcp/support")
    }

    /// What the hook received, oldest first.
    private func log() async throws -> [JSONValue] {
        let text = (try? String(contentsOfFile: logFile, encoding: .utf8)) ?? ""
        return try text.split(separator: "\n").map { try JSONValue(parsing: Array($0.utf8)) }
    }

    func testAllowSendsTheDocumentedRequest() async throws {
        let stats = StatsRegistry()
        let hook = try client(stats: stats)
        XCTAssertTrue(hook.applies(to: .toolsCall))
        XCTAssertFalse(hook.applies(to: .promptsGet))
        XCTAssertFalse(hook.reviewsResults(of: .toolsCall), "response is off")
        let decision = await hook.admit(call("echo"))
        XCTAssertEqual(decision, .allow(note: "hook=allow"))
        let entries = try await log()
        let body = try XCTUnwrap(entries.last?["body"])
        XCTAssertEqual(body["phase"], .string("request"))
        XCTAssertEqual(body["principal"], .object(["subject": .string("alice"), "roles": .array([.string("dev"), .string("ops")]),
                                                   "scopes": .array([.string("tools.call")])]))
        XCTAssertEqual(body["endpoint"], .string("/mcp/support"))
        XCTAssertEqual(body["session"], .string("http:*:1a2b3c4d"))
        XCTAssertEqual(body["method"], .string("tools/call"))
        XCTAssertEqual(body["name"], .string("alpha__echo"))
        XCTAssertEqual(body["tool"], .string("echo"))
        XCTAssertEqual(body["upstream"], .string("alpha"))
        XCTAssertEqual(body["arguments"], .object(["q": .string("x")]))
        XCTAssertNil(body["result"])
        let counters = stats.snapshot().counters.filter { $0.name == "mcp_proxy_policy_hook_decisions_total" }
        XCTAssertEqual(counters.first { $0.labels == ["phase": "request", "decision": "allow"] }?.value, 1, "\(counters)")
    }

    func testDenyAndRewrite() async throws {
        let hook = try client()
        guard case .deny(let refusal, let note) = await hook.admit(call("deny_me")) else { return XCTFail("expected a denial") }
        XCTAssertEqual(refusal.code.rawValue, -32003)
        XCTAssertEqual(refusal.message, "Denied by the policy hook: not on weekends")
        XCTAssertEqual(refusal.reason, "policyHook")
        XCTAssertEqual(try JSONValue(parsing: try XCTUnwrap(refusal.data))["detail"], .string("not on weekends"))
        XCTAssertEqual(note, "hook=deny: not on weekends")
        let rewritten = await hook.admit(call("rewrite"))
        XCTAssertEqual(rewritten, .rewrite(arguments: Array(#"{"rewritten":true}"#.utf8), note: "hook=rewrite"))
    }

    func testTimeoutDeniesUnlessFailOpen() async throws {
        let closed = try client(timeout: .milliseconds(150))
        let started = ContinuousClock.now
        guard case .deny(let refusal, _) = await closed.admit(call("slow")) else { return XCTFail("a timeout must deny when failOpen is false") }
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(1), "the proxy waited past timeoutMs")
        XCTAssertEqual(refusal.reason, "policyHookUnavailable")
        XCTAssertTrue(refusal.message.contains("did not answer within 150 ms"), refusal.message)
        XCTAssertTrue(refusal.message.contains("failOpen is false"), refusal.message)
        let open = try client(timeout: .milliseconds(150), failOpen: true)
        guard case .allow(let note) = await open.admit(call("slow")) else { return XCTFail("a timeout must allow when failOpen is true") }
        XCTAssertTrue(note?.contains("failOpen") == true, note ?? "")
    }

    func testErrorsAndBadAnswersFollowFailOpen() async throws {
        let stats = StatsRegistry()
        let closed = try client(stats: stats)
        for tool in ["broken", "garbage"] {
            guard case .deny(let refusal, _) = await closed.admit(call(tool)) else { return XCTFail("\(tool) must deny") }
            XCTAssertEqual(refusal.reason, "policyHookUnavailable", tool)
        }
        let unreachable = try client(url: "http://127.0.0.1:1/none")
        guard case .deny = await unreachable.admit(call("echo")) else { return XCTFail("an unreachable hook must deny") }
        let open = try client(failOpen: true)
        guard case .allow = await open.admit(call("broken")) else { return XCTFail("failOpen lets it through") }
        let counters = stats.snapshot().counters.filter { $0.name == "mcp_proxy_policy_hook_decisions_total" }
        XCTAssertEqual(counters.first { $0.labels == ["phase": "request", "decision": "error_denied"] }?.value, 2, "\(counters)")
    }

    func testResponsePhaseAllowsWithholdsOrReplaces() async throws {
        let hook = try client(response: true)
        XCTAssertTrue(hook.reviewsResults(of: .toolsCall))
        let result = Array(#"{"content":[{"type":"text","text":"original"}]}"#.utf8)
        let allowed = await hook.review(result, of: call("echo"))
        XCTAssertEqual(allowed, .pass(note: "hook.response=allow"))
        guard case .refuse(let refusal, _) = await hook.review(result, of: call("withhold")) else { return XCTFail("expected a withheld result") }
        XCTAssertEqual(refusal.message, "The result was withheld by the policy hook: contains PII")
        XCTAssertEqual(refusal.reason, "policyHookResponse")
        guard case .replace(let replaced, _) = await hook.review(result, of: call("replace")) else { return XCTFail("expected a replaced result") }
        XCTAssertEqual(try JSONValue(parsing: replaced)["content"], .array([.object(["type": .string("text"), "text": .string("replaced")])]))
        let entries = try await log()
        let body = try XCTUnwrap(entries.first?["body"])
        XCTAssertEqual(body["phase"], .string("response"))
        XCTAssertEqual(body["result"], try JSONValue(parsing: result))
        XCTAssertEqual(body["arguments"], .object(["q": .string("x")]))
    }

    func testConnectionsAreKeptAlive() async throws {
        let hook = try client()
        for _ in 0..<5 { _ = await hook.admit(call("echo")) }
        let entries = try await log()
        let ports = Set(entries.compactMap { $0["port"]?.intValue })
        XCTAssertEqual(ports.count, 1, "five decisions should share one pooled connection, used \(ports)")
    }

    func testWireAnswerParsing() {
        XCTAssertEqual(try? PolicyHookWire.parseAnswer(Array(#"{"decision":"allow","arguments":{"a":1}}"#.utf8), replacementKey: "arguments").get(),
                       PolicyHookWire.Answer(decision: .allow, reason: nil, replacement: Array(#"{"a":1}"#.utf8)))
        for bad in [#"{"decision":"maybe"}"#, #"[]"#, #"{"decision":"allow","arguments":[1]}"#, "nope"] {
            if case .success = PolicyHookWire.parseAnswer(Array(bad.utf8), replacementKey: "arguments") { XCTFail("accepted \(bad)") }
        }
    }
}
