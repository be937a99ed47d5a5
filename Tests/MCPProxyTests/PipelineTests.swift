import JSONRPC
import Logging
import MCPProxy
import MCPSecurity
import MCPStats
import NIOConcurrencyHelpers
import XCTest

/// What a recording stage saw of one request, and how it ended.
struct StageRecord: Sendable, Equatable {
    var method: String
    var subject: String
    var upstream: String?
}

/// A stage that records every request and every outcome, and refuses tool calls named `refuse_*`.
final class RecordingStage: MCPMiddleware, Sendable {
    let seen = NIOLockedValueBox<[StageRecord]>([])
    let outcomes = NIOLockedValueBox<[MCPOutcome]>([])

    var observesCompletion: Bool { true }

    func handle(_ call: inout MCPCall, context: inout ProxyRequestContext,
                next: (inout MCPCall, inout ProxyRequestContext) -> MCPVerdict) -> MCPVerdict {
        seen.withLockedValue { $0.append(StageRecord(method: call.method.name, subject: context.principal.subject, upstream: context.upstreamName)) }
        if call.method == .toolsCall, call.name?.contains("refuse_") == true {
            return .refused(MCPRefusal(code: JSONRPCErrorCode(rawValue: -32099), message: "refused by the test stage",
                                       data: Array(#"{"reason":"test"}"#.utf8), reason: "test"))
        }
        return next(&call, &context)
    }

    func finished(_ summary: MCPCallSummary, context: ProxyRequestContext, outcome: MCPOutcome) {
        outcomes.withLockedValue { $0.append(outcome) }
    }
}

/// An authorizer that shows and allows only tools whose names end in one of `suffixes`.
struct SuffixAuthorizer: Authorizer {
    let suffixes: [String]

    func authorize(_ principal: Principal, method: MCPMethod, name: String?, uri: String?) -> AuthorizationDecision {
        guard method == .toolsCall else { return .allowed }
        return suffixes.contains(where: { (name ?? "").hasSuffix($0) }) ? .allowed : .denied(reason: "not on the list")
    }

    func isVisible(_ principal: Principal, kind: CatalogItemKind, name: String) -> Bool {
        kind != .tools || suffixes.contains(where: { name.hasSuffix($0) })
    }
}

/// The request pipeline inside a real MCPProxy session: what stages see, refusals that never
/// reach an upstream, outcomes in `finished`, and lists filtered per principal before paging.
final class PipelineTests: XCTestCase {
    let alice = Principal(subject: "alice", issuer: "https://idp.test", roles: ["reader"], method: .jwt)

    private func upstream() -> FakeUpstream {
        let alpha = FakeUpstream("alpha")
        alpha.setTools(["echo", "refuse_me", "slow", "broken", "t1", "t2", "t3"])
        alpha.on("tools/call") { request, _ in
            switch request.params?["name"]?.stringValue {
            case "slow": return .delayed(.seconds(30), .result(#"{"content":[]}"#))
            case "broken": return .error(code: -32050, message: "broken on purpose")
            default: return .result(#"{"content":[{"type":"text","text":"ok"}]}"#)
            }
        }
        return alpha
    }

    private func proxy(with stage: RecordingStage, visibility: (any Authorizer)? = nil) -> ProxyHarness.ProxyFactory {
        { definitions, options, logger in
            MCPProxy(upstreams: definitions, options: options, visibility: visibility, logger: logger) { stage }
        }
    }

    func testStagesSeePrincipalMethodAndRoutedUpstream() async throws {
        let stage = RecordingStage()
        try await withProxy([upstream()], principal: alice, make: proxy(with: stage)) { harness in
            try await harness.initialize()
            let answer = try await harness.request("tools/call", params: #"{"name":"alpha__echo","arguments":{}}"#)
            XCTAssertNotNil(answer.result, answer.raw)
            _ = try await harness.request("tools/list")
        }
        let seen = stage.seen.withLockedValue { $0 }
        XCTAssertEqual(seen.first, StageRecord(method: "initialize", subject: "alice", upstream: nil))
        XCTAssertTrue(seen.contains(StageRecord(method: "tools/call", subject: "alice", upstream: "alpha")), "\(seen)")
        XCTAssertTrue(seen.contains(StageRecord(method: "tools/list", subject: "alice", upstream: nil)), "\(seen)")
    }

    func testRefusalAnswersTheClientAndNeverReachesTheUpstream() async throws {
        let stage = RecordingStage()
        let alpha = upstream()
        try await withProxy([alpha], make: proxy(with: stage)) { harness in
            try await harness.initialize()
            let refused = try await harness.request("tools/call", params: #"{"name":"alpha__refuse_me","arguments":{}}"#)
            XCTAssertEqual(refused.errorCode, -32099, refused.raw)
            XCTAssertEqual(refused.error?["data"]?["reason"]?.stringValue, "test", refused.raw)
            XCTAssertTrue(alpha.received("tools/call").isEmpty, "a refused call reached the upstream")
            let counters = harness.proxy.stats.snapshot().counters
            XCTAssertEqual(counters.first { $0.name == "mcp_proxy_refused_total" && $0.labels["reason"] == "test" }?.value, 1, "\(counters)")
        }
        XCTAssertTrue(stage.outcomes.withLockedValue { $0 }.isEmpty, "finished runs only for requests that reached the terminal")
    }

    func testFinishedLearnsSuccessErrorTimeoutAndCancellation() async throws {
        let stage = RecordingStage()
        let options = ProxyOptions.testing { $0.requestTimeout = .milliseconds(300) }
        try await withProxy([upstream()], options: options, make: proxy(with: stage)) { harness in
            try await harness.initialize()
            _ = try await harness.request("tools/call", params: #"{"name":"alpha__echo","arguments":{}}"#)
            _ = try await harness.request("tools/call", params: #"{"name":"alpha__broken","arguments":{}}"#)
            let timedOut = try await harness.request("tools/call", params: #"{"name":"alpha__slow","arguments":{}}"#)
            XCTAssertEqual(timedOut.errorCode, Int64(JSONRPCErrorCode.requestTimeout.rawValue), timedOut.raw)
            harness.client.push(ProxyHarness.requestText("tools/call", params: #"{"name":"alpha__slow","arguments":{}}"#, id: "77"))
            try await eventually("the slow call to be forwarded") { stage.seen.withLockedValue { $0.count } >= 5 }
            try await Task.sleep(for: .milliseconds(50))
            harness.client.push(#"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":77}}"#)
            try await eventually("the cancellation to finish the request") { stage.outcomes.withLockedValue { $0.count } >= 4 }
        }
        XCTAssertEqual(stage.outcomes.withLockedValue { $0 }, [.success, .error(code: -32050), .timeout, .cancelled])
    }

    func testStatsStageStillCountsEverySeries() async throws {
        try await withProxy([upstream()], make: proxy(with: RecordingStage())) { harness in
            try await harness.initialize()
            for _ in 0..<3 { _ = try await harness.request("tools/call", params: #"{"name":"alpha__echo","arguments":{}}"#) }
            _ = try await harness.request("tools/call", params: #"{"name":"alpha__broken","arguments":{}}"#)
            let series = harness.proxy.stats.snapshot().requests
            XCTAssertEqual(series.first { $0.tool == "echo" }?.count, 3, "\(series)")
            XCTAssertEqual(series.first { $0.tool == "broken" }?.errors, 1, "\(series)")
        }
    }

    func testListsAreFilteredPerPrincipalBeforePaging() async throws {
        let visibility = SuffixAuthorizer(suffixes: ["echo", "t2", "t3"])
        let options = ProxyOptions.testing { $0.pageSize = 2 }
        try await withProxy([upstream()], options: options, principal: alice, make: proxy(with: RecordingStage(), visibility: visibility)) { harness in
            try await harness.initialize()
            let first = try await harness.request("tools/list")
            XCTAssertEqual(first.result?["tools"]?.arrayValue.compactMap { $0["name"]?.stringValue }, ["alpha__echo", "alpha__t2"], first.raw)
            XCTAssertNotNil(first.result?["nextCursor"]?.stringValue, "three visible tools on pages of two")
            let names = try await harness.listAll("tools/list", key: "tools")
            XCTAssertEqual(names, ["alpha__echo", "alpha__t2", "alpha__t3"])
        }
    }
}
