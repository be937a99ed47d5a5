import JSONRPC
import Logging
import MCPProxy
import NIOConcurrencyHelpers
import XCTest

/// A rate-limit-like gate: it wants every request but `initialize` and `ping`, also those the
/// proxy answers itself, and refuses once `burst` requests passed. It records how it was asked.
final class BurstGate: AsyncCallGate {
    let burst: Int
    let asked = NIOLockedValueBox<[(kind: String, method: String, upstream: String)]>([])

    init(burst: Int) { self.burst = burst }

    func applies(to method: MCPMethod) -> Bool { method != .initialize && method != .ping }
    func appliesToLocalAnswers(_ method: MCPMethod) -> Bool { applies(to: method) }

    func admit(_ call: GovernedCall) async -> CallGateDecision { decide(call, kind: "forwarded") }
    func admitLocalAnswer(_ call: GovernedCall) async -> CallGateDecision { decide(call, kind: "local") }

    private func decide(_ call: GovernedCall, kind: String) -> CallGateDecision {
        let count = asked.withLockedValue { asked in
            asked.append((kind, call.method, call.upstream))
            return asked.count
        }
        guard count > burst else { return .allow(note: nil) }
        return .deny(MCPRefusal(code: JSONRPCErrorCode(rawValue: -32029), message: "Rate limit exceeded", reason: "rateLimited"), note: nil)
    }
}

/// Requests the proxy answers itself (lists, logging/setLevel) go to a gate that wants them
/// (a shared rate limit), as they go through the in-memory rate-limit stage; a gate that does
/// not (a policy hook) never sees them.
final class LocalAnswerGateTests: XCTestCase {
    private func upstream() -> FakeUpstream {
        let alpha = FakeUpstream("alpha")
        alpha.setTools(["echo"])
        alpha.on("tools/call") { _, _ in .result(#"{"content":[]}"#) }
        return alpha
    }

    func testListsAndCallsShareTheGateAndARefusedListIsAnError() async throws {
        let gate = BurstGate(burst: 3)
        let stage = RecordingStage()
        let options = ProxyOptions.testing { $0.callGate = gate }
        try await withProxy([upstream()], options: options, make: { definitions, options, logger in
            MCPProxy(upstreams: definitions, options: options, logger: logger) { stage }
        }) { harness in
            try await harness.initialize()
            let listed = try await harness.request("tools/list")
            XCTAssertEqual(listed.result?["tools"]?.arrayValue.count, 1, listed.raw)
            let called = try await harness.request("tools/call", params: #"{"name":"alpha__echo","arguments":{}}"#)
            XCTAssertNotNil(called.result, called.raw)
            let level = try await harness.request("logging/setLevel", params: #"{"level":"info"}"#)
            XCTAssertNotNil(level.result, level.raw)
            let refused = try await harness.request("tools/list")
            XCTAssertEqual(refused.errorCode, -32029, refused.raw)
            let ping = try await harness.request("ping")
            XCTAssertNotNil(ping.result, "ping is not covered: answered at once")
            let counters = harness.proxy.stats.snapshot().counters
            XCTAssertEqual(counters.first { $0.name == "mcp_proxy_refused_total" && $0.labels["reason"] == "rateLimited" }?.value, 1, "\(counters)")
            XCTAssertEqual(harness.proxy.requestsInFlight, 0)
        }
        let asked = gate.asked.withLockedValue { $0 }
        XCTAssertEqual(asked.map(\.kind), ["local", "forwarded", "local", "local"])
        XCTAssertEqual(asked.map(\.method), ["tools/list", "tools/call", "logging/setLevel", "tools/list"])
        XCTAssertEqual(asked.map(\.upstream), ["", "alpha", "", ""])
        XCTAssertEqual(stage.outcomes.withLockedValue { $0 }.last, .refused(reason: "rateLimited"))
    }

    func testSubscriptionsAreCheckedOnceAndARefusedOneIsNeitherForwardedNorCounted() async throws {
        let files = FakeUpstream("files", capabilities: #"{"resources":{"subscribe":true}}"#)
        files.setList("resources/list", key: "resources", pages: [[#"{"uri":"file:///a.txt","name":"a"}"#]])
        files.on("resources/subscribe") { _, _ in .result("{}") }
        files.on("resources/unsubscribe") { _, _ in .result("{}") }
        let gate = BurstGate(burst: 1)
        try await withProxy([files], options: ProxyOptions.testing { $0.callGate = gate }) { harness in
            try await harness.initialize()
            let subscribed = try await harness.request("resources/subscribe", params: #"{"uri":"file:///a.txt"}"#)
            XCTAssertNotNil(subscribed.result, subscribed.raw)
            let refused = try await harness.request("resources/unsubscribe", params: #"{"uri":"file:///a.txt"}"#)
            XCTAssertEqual(refused.errorCode, -32029, refused.raw)
        }
        XCTAssertEqual(gate.asked.withLockedValue { $0.map(\.kind) }, ["local", "local"],
                       "each subscription request is asked once, before it is counted (not again before forwarding)")
        XCTAssertEqual(gate.asked.withLockedValue { $0.first?.upstream }, "files")
        XCTAssertEqual(files.received("resources/subscribe").count, 1)
        XCTAssertTrue(files.received("resources/unsubscribe").isEmpty, "a refused unsubscribe went upstream")
    }

    func testAPolicyHookInTheChainNeverSeesLocalAnswers() async throws {
        let limit = BurstGate(burst: 100)
        let hook = ScriptedGate()
        let options = ProxyOptions.testing { $0.callGate = CallGateChain.combine([limit, hook]) }
        try await withProxy([upstream()], options: options) { harness in
            try await harness.initialize()
            _ = try await harness.request("tools/list")
            _ = try await harness.request("tools/call", params: #"{"name":"alpha__echo","arguments":{}}"#)
        }
        XCTAssertEqual(limit.asked.withLockedValue { $0.map(\.method) }, ["tools/list", "tools/call"])
        XCTAssertEqual(hook.asked.withLockedValue { $0.map(\.method) }, ["tools/call"], "the hook judges forwarded calls only")
    }
}
