import JSONRPC
import Logging
import MCPProxy
import NIOConcurrencyHelpers
import XCTest

/// A gate scripted by tool name: `deny_me` is denied, `rewrite` gets new arguments, `wait`
/// waits until released; everything else is allowed. It records what it was asked.
final class ScriptedGate: AsyncCallGate {
    let asked = NIOLockedValueBox<[GovernedCall]>([])
    let released = NIOLockedValueBox(false)

    func applies(to method: MCPMethod) -> Bool { method == .toolsCall }

    func admit(_ call: GovernedCall) async -> CallGateDecision {
        asked.withLockedValue { $0.append(call) }
        switch call.tool {
        case "deny_me":
            return .deny(MCPRefusal(code: JSONRPCErrorCode(rawValue: -32003), message: "Denied by the policy hook: not today",
                                    data: Array(#"{"reason":"policyHook"}"#.utf8), reason: "policyHook"), note: "hook=deny: not today")
        case "rewrite":
            return .rewrite(arguments: Array(#"{"rewritten":true}"#.utf8), note: "hook=rewrite")
        case "wait":
            while !released.withLockedValue({ $0 }) { try? await Task.sleep(for: .milliseconds(10)) }
            return .allow(note: "hook=allow")
        default:
            return .allow(note: "hook=allow")
        }
    }
}

/// A result guard scripted by tool name: `swap` results are replaced, `withhold` ones refused.
struct ScriptedResultGuard: ResultGuard {
    func applies(to method: MCPMethod) -> Bool { method == .toolsCall }

    func inspect(_ result: [UInt8], of call: GovernedCall) async -> ResultDecision {
        switch call.tool {
        case "swap": return .replace(result: Array(#"{"content":[{"type":"text","text":"swapped"}]}"#.utf8), note: "swapped")
        case "withhold":
            return .refuse(MCPRefusal(code: JSONRPCErrorCode(rawValue: -32003), message: "The result was withheld", reason: "policyHookResponse"), note: "withheld")
        default: return .pass(note: nil)
        }
    }
}

/// The terminal's asynchronous seams inside a real session: a gate before forwarding (allow,
/// deny, rewrite, a cancellation while it decides) and a guard on results (replace, refuse).
final class CallGateSessionTests: XCTestCase {
    private func upstream() -> FakeUpstream {
        let alpha = FakeUpstream("alpha")
        alpha.setTools(["echo", "deny_me", "rewrite", "wait", "swap", "withhold", "broken"])
        alpha.on("tools/call") { request, _ in
            if request.params?["name"]?.stringValue == "broken" { return .error(code: -32050, message: "broken on purpose") }
            let arguments = request.params?["arguments"].map { String(decoding: $0.encoded, as: UTF8.self) } ?? "null"
            return .result(#"{"content":[{"type":"text","text":\#(String(decoding: JSONString.encode(arguments), as: UTF8.self))}]}"#)
        }
        return alpha
    }

    private func options(gate: (any AsyncCallGate)? = nil, guard resultGuard: (any ResultGuard)? = nil) -> ProxyOptions {
        .testing {
            $0.callGate = gate
            $0.resultGuard = resultGuard
        }
    }

    private func proxy(with stage: RecordingStage) -> ProxyHarness.ProxyFactory {
        { definitions, options, logger in MCPProxy(upstreams: definitions, options: options, logger: logger) { stage } }
    }

    func testAllowedCallIsForwardedAndTheGateSeesTheCall() async throws {
        let gate = ScriptedGate()
        let alpha = upstream()
        let stage = RecordingStage()
        try await withProxy([alpha], options: options(gate: gate), make: proxy(with: stage)) { harness in
            try await harness.initialize()
            let answer = try await harness.request("tools/call", params: #"{"name":"alpha__echo","arguments":{"x":1}}"#)
            XCTAssertEqual(answer.result?["content"]?.arrayValue.first?["text"]?.stringValue, #"{"x":1}"#, answer.raw)
            _ = try await harness.request("tools/list")
        }
        let asked = gate.asked.withLockedValue { $0 }
        XCTAssertEqual(asked.count, 1, "only tools/call goes to the gate")
        XCTAssertEqual(asked.first?.name, "alpha__echo")
        XCTAssertEqual(asked.first?.tool, "echo")
        XCTAssertEqual(asked.first?.upstream, "alpha")
        XCTAssertEqual(asked.first?.method, "tools/call")
        XCTAssertEqual(asked.first.flatMap { $0.arguments.map { String(decoding: $0, as: UTF8.self) } }, #"{"x":1}"#)
        XCTAssertNil(asked.first?.endpoint)
        XCTAssertEqual(stage.outcomes.withLockedValue { $0 }, [.success])
    }

    func testDeniedCallNeverReachesTheUpstream() async throws {
        let alpha = upstream()
        let stage = RecordingStage()
        try await withProxy([alpha], options: options(gate: ScriptedGate()), make: proxy(with: stage)) { harness in
            try await harness.initialize()
            let denied = try await harness.request("tools/call", params: #"{"name":"alpha__deny_me","arguments":{}}"#)
            XCTAssertEqual(denied.errorCode, -32003, denied.raw)
            XCTAssertEqual(denied.error?["message"]?.stringValue, "Denied by the policy hook: not today")
            XCTAssertEqual(denied.error?["data"]?["reason"]?.stringValue, "policyHook")
            let counters = harness.proxy.stats.snapshot().counters
            XCTAssertEqual(counters.first { $0.name == "mcp_proxy_refused_total" && $0.labels["reason"] == "policyHook" }?.value, 1, "\(counters)")
            XCTAssertEqual(harness.proxy.requestsInFlight, 0)
        }
        XCTAssertTrue(alpha.received("tools/call").isEmpty, "a denied call reached the upstream")
        XCTAssertEqual(stage.outcomes.withLockedValue { $0 }, [.refused(reason: "policyHook")])
    }

    func testRewrittenArgumentsAreWhatTheUpstreamGets() async throws {
        let alpha = upstream()
        try await withProxy([alpha], options: options(gate: ScriptedGate())) { harness in
            try await harness.initialize()
            let answer = try await harness.request("tools/call", params: #"{"name":"alpha__rewrite","arguments":{"secret":"x"},"_meta":{"progressToken":5}}"#)
            XCTAssertEqual(answer.result?["content"]?.arrayValue.first?["text"]?.stringValue, #"{"rewritten":true}"#, answer.raw)
            // No arguments at all: they are added.
            let added = try await harness.request("tools/call", params: #"{"name":"alpha__rewrite"}"#)
            XCTAssertEqual(added.result?["content"]?.arrayValue.first?["text"]?.stringValue, #"{"rewritten":true}"#, added.raw)
        }
        let sent = alpha.received("tools/call")
        XCTAssertEqual(sent.count, 2)
        XCTAssertEqual(sent.first?.params?["name"]?.stringValue, "rewrite", "the name is still spliced")
        XCTAssertNotNil(sent.first?.params?["_meta"]?["progressToken"], "the progress token is still spliced")
        XCTAssertFalse(sent.map(\.raw).joined().contains("secret"))
    }

    func testCancellationWhileTheGateDecidesDropsTheRequest() async throws {
        let gate = ScriptedGate()
        let alpha = upstream()
        let stage = RecordingStage()
        try await withProxy([alpha], options: options(gate: gate), make: proxy(with: stage)) { harness in
            try await harness.initialize()
            harness.client.push(ProxyHarness.requestText("tools/call", params: #"{"name":"alpha__wait","arguments":{}}"#, id: "77"))
            try await eventually("the gate to be asked") { gate.asked.withLockedValue { $0.count } == 1 }
            XCTAssertGreaterThanOrEqual(harness.proxy.requestsInFlight, 1, "a request the gate is deciding is in flight (a drain waits for it)")
            harness.client.push(#"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":77}}"#)
            try await Task.sleep(for: .milliseconds(30))
            gate.released.withLockedValue { $0 = true }
            try await eventually("the cancelled request to end") { stage.outcomes.withLockedValue { $0.count } == 1 }
            try await eventually("nothing in flight") { harness.proxy.requestsInFlight == 0 }
            XCTAssertTrue(harness.client.responses(to: .int(77)).isEmpty, "a cancelled request gets no response")
        }
        XCTAssertTrue(alpha.received("tools/call").isEmpty, "a request cancelled during the gate was forwarded")
        XCTAssertEqual(stage.outcomes.withLockedValue { $0 }, [.cancelled])
    }

    func testResultGuardReplacesOrWithholdsResults() async throws {
        let alpha = upstream()
        let stage = RecordingStage()
        try await withProxy([alpha], options: options(guard: ScriptedResultGuard()), make: proxy(with: stage)) { harness in
            try await harness.initialize()
            let swapped = try await harness.request("tools/call", params: #"{"name":"alpha__swap","arguments":{}}"#, id: "\"s\"")
            XCTAssertEqual(swapped.result?["content"]?.arrayValue.first?["text"]?.stringValue, "swapped", swapped.raw)
            XCTAssertEqual(swapped.id, .string("s"), "the client's id is kept")
            let withheld = try await harness.request("tools/call", params: #"{"name":"alpha__withhold","arguments":{}}"#)
            XCTAssertEqual(withheld.errorCode, -32003, withheld.raw)
            let passed = try await harness.request("tools/call", params: #"{"name":"alpha__echo","arguments":{"a":2}}"#)
            XCTAssertEqual(passed.result?["content"]?.arrayValue.first?["text"]?.stringValue, #"{"a":2}"#, passed.raw)
            let broken = try await harness.request("tools/call", params: #"{"name":"alpha__broken","arguments":{}}"#)
            XCTAssertEqual(broken.errorCode, -32050, "upstream errors pass unchanged")
            XCTAssertEqual(harness.proxy.requestsInFlight, 0)
        }
        XCTAssertEqual(stage.outcomes.withLockedValue { $0 }, [.success, .refused(reason: "policyHookResponse"), .success, .error(code: -32050)])
    }

    func testWithoutGateOrGuardNothingChanges() async throws {
        let alpha = upstream()
        try await withProxy([alpha], options: options()) { harness in
            try await harness.initialize()
            let answer = try await harness.request("tools/call", params: #"{"name":"alpha__deny_me","arguments":{"k":"v"}}"#)
            XCTAssertEqual(answer.result?["content"]?.arrayValue.first?["text"]?.stringValue, #"{"k":"v"}"#, answer.raw)
        }
    }
}
