import JSONRPC
import XCTest
@testable import MCPSecurity

private struct TestContext: PrincipalContext, RoutedContext {
    var principal: Principal
    var upstreamName: String?
}

final class MiddlewareTests: XCTestCase {
    private func makeCall(_ method: String, params: String, receivedAt: UInt64 = 1_000) throws -> MCPCall {
        let bytes = JSONRPCEncoder.request(idBytes: Array("7".utf8), method: method, params: Array(params.utf8))
        let message = try JSONRPCScanner().scanMessage(bytes)
        return MCPCall(message: message, method: MCPMethod(name: method), idBytes: Array("7".utf8), receivedAt: receivedAt)
    }

    private func run<M: MCPMiddleware>(_ stage: M, _ call: MCPCall, _ context: TestContext, reached: inout Int) -> MCPVerdict where M.Context == TestContext {
        var call = call
        var context = context
        var count = 0
        let verdict = stage.handle(&call, context: &context) { _, _ in
            count += 1
            return .forwarded
        }
        reached += count
        return verdict
    }

    private func refusal(_ verdict: MCPVerdict) -> MCPRefusal? {
        if case .refused(let refusal) = verdict { return refusal }
        return nil
    }

    func testErrorCodes() {
        XCTAssertEqual(JSONRPCErrorCode.accessDenied.rawValue, -32003)
        XCTAssertEqual(JSONRPCErrorCode.rateLimited.rawValue, -32029)
    }

    func testAuthorizationStage() throws {
        let rules = try RuleAuthorizer(rules: [
            AuthorizationRule(roles: ["reader"], tools: .init(allow: ["alpha__echo"]), prompts: .init(allow: ["hello"])),
            AuthorizationRule(roles: ["scoped"], requireScopes: ["mcp.tools", "mcp.admin"]),
        ], default: .deny)
        let stage = AuthorizationMiddleware<TestContext>(authorizer: rules)
        let reader = TestContext(principal: Principal(subject: "r", roles: ["reader"], method: .jwt))
        var reached = 0

        let allowed = run(stage, try makeCall("tools/call", params: #"{"name":"alpha__echo","arguments":{}}"#), reader, reached: &reached)
        guard case .forwarded = allowed else { return XCTFail("\(allowed)") }
        XCTAssertEqual(reached, 1)

        let denied = try XCTUnwrap(refusal(run(stage, try makeCall("tools/call", params: #"{"name":"alpha__rm"}"#), reader, reached: &reached)))
        XCTAssertEqual(reached, 1, "a denied call never reaches next")
        XCTAssertEqual(denied.code, .accessDenied)
        XCTAssertEqual(denied.reason, "denied")
        XCTAssertTrue(denied.message.contains("tool not allowed"))
        XCTAssertEqual(String(decoding: denied.data ?? [], as: UTF8.self), #"{"reason":"denied","detail":"tool not allowed"}"#)

        // completion/complete is decided by its reference.
        let completion = run(stage, try makeCall("completion/complete", params: #"{"ref":{"type":"ref/prompt","name":"secret"},"argument":{"name":"a","value":""}}"#), reader, reached: &reached)
        XCTAssertEqual(refusal(completion)?.reason, "denied")
        let okCompletion = run(stage, try makeCall("completion/complete", params: #"{"ref":{"type":"ref/prompt","name":"hello"},"argument":{"name":"a","value":""}}"#), reader, reached: &reached)
        guard case .forwarded = okCompletion else { return XCTFail("\(okCompletion)") }

        let scoped = TestContext(principal: Principal(subject: "s", roles: ["scoped"], scopes: ["mcp.tools"], method: .jwt))
        let insufficient = try XCTUnwrap(refusal(run(stage, try makeCall("tools/call", params: #"{"name":"x"}"#), scoped, reached: &reached)))
        XCTAssertEqual(insufficient.code, .accessDenied)
        XCTAssertEqual(insufficient.reason, "insufficientScope")
        XCTAssertEqual(String(decoding: insufficient.data ?? [], as: UTF8.self), #"{"reason":"insufficientScope","scope":"mcp.tools mcp.admin"}"#)
    }

    func testRateLimitStages() throws {
        let limiter = try TokenBucketRateLimiter(entries: [
            RateLimitEntry(per: .principal, rate: 1, burst: 2),
            RateLimitEntry(per: .upstream, rate: 1, burst: 3),
        ])
        let stage = RateLimitMiddleware<TestContext>(limiter: limiter)
        let alice = TestContext(principal: Principal(subject: "a", method: .jwt), upstreamName: "git")
        let bob = TestContext(principal: Principal(subject: "b", method: .jwt), upstreamName: "git")
        var reached = 0
        for _ in 0..<2 { _ = run(stage, try makeCall("tools/call", params: #"{"name":"x"}"#), alice, reached: &reached) }
        XCTAssertEqual(reached, 2)
        let limited = try XCTUnwrap(refusal(run(stage, try makeCall("tools/call", params: #"{"name":"x"}"#), alice, reached: &reached)))
        XCTAssertEqual(reached, 2)
        XCTAssertEqual(limited.code, .rateLimited)
        XCTAssertEqual(limited.reason, "rateLimited")
        XCTAssertEqual(String(decoding: limited.data ?? [], as: UTF8.self), #"{"reason":"rateLimited","retryAfterMs":1000}"#)
        // The plain stage passes no upstream, so the per-upstream entry did not count.
        let routed = RoutedRateLimitMiddleware<TestContext>(limiter: limiter)
        for _ in 0..<2 { _ = run(routed, try makeCall("tools/call", params: #"{"name":"x"}"#), bob, reached: &reached) }
        XCTAssertEqual(reached, 4)
        let third = run(routed, try makeCall("ping", params: "{}"), bob, reached: &reached)
        guard case .forwarded = third else { return XCTFail("ping is not counted") }
        let other = TestContext(principal: Principal(subject: "c", method: .jwt), upstreamName: "git")
        _ = run(routed, try makeCall("tools/call", params: #"{"name":"x"}"#), other, reached: &reached)
        XCTAssertEqual(reached, 6, "third request on git")
        let upstreamLimited = try XCTUnwrap(refusal(run(routed, try makeCall("tools/call", params: #"{"name":"x"}"#), other, reached: &reached)))
        XCTAssertTrue(upstreamLimited.message.contains("per upstream"))
    }

    @MCPPipelineBuilder<TestContext>
    private static func chain(limiter: any RateLimiter, rules: any Authorizer) -> some MCPMiddleware<TestContext> {
        RateLimitMiddleware<TestContext>(limiter: limiter)
        AuthorizationMiddleware<TestContext>(authorizer: rules)
    }

    func testStagesComposeInTheBuilder() throws {
        let rules = try RuleAuthorizer(rules: [], default: .allow)
        let limiter = try TokenBucketRateLimiter(entries: [RateLimitEntry(per: .principal, rate: 1, burst: 1)])
        let chain = Self.chain(limiter: limiter, rules: rules)
        var reached = 0
        let context = TestContext(principal: Principal(subject: "a", method: .jwt))
        guard case .forwarded = run(chain, try makeCall("tools/call", params: #"{"name":"x"}"#), context, reached: &reached) else { return XCTFail() }
        XCTAssertEqual(refusal(run(chain, try makeCall("tools/call", params: #"{"name":"x"}"#), context, reached: &reached))?.code, .rateLimited)
        XCTAssertEqual(reached, 1)
    }
}
