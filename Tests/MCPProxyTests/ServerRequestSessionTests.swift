import JSONRPC
import MCPProxy
import MCPRouting
import MCPSecurity
import XCTest

/// `proxy.serverRequests` inside a client session: what the client sees, what the upstream gets
/// back, what the proxy declares upstream, and the counter.
final class ServerRequestSessionTests: XCTestCase {
    static func options(_ rules: [ServerRequestRules.Rule]) -> ProxyOptions {
        .testing { $0.serverRequests = ServerRequestRules(rules) }
    }

    static func rule(_ servers: String..., deny: Set<ServerRequestKind> = [], maxTokens: Int? = nil, rate: TokenBucketLimit? = nil) throws -> ServerRequestRules.Rule {
        ServerRequestRules.Rule(servers: try servers.map { try GlobPattern($0) }, denied: deny, maxSamplingTokens: maxTokens, rate: rate)
    }

    static let allCapabilities = #"{"sampling":{},"elicitation":{"form":{}},"roots":{"listChanged":true}}"#

    func testADeniedSamplingRequestNeverReachesTheClientAndTheUpstreamGetsTheError() async throws {
        let untrusted = FakeUpstream("untrusted-a")
        let trusted = FakeUpstream("trusted")
        let options = Self.options([try Self.rule("untrusted-*", deny: [.sampling, .elicitation])])
        try await withProxy([trusted, untrusted], options: options) { harness in
            try await harness.initialize(capabilities: Self.allCapabilities)
            untrusted.send(ServerToClientTests.sampling(id: #""s-1""#, marker: "untrusted"))
            let refusal = try await untrusted.waitFor("the refusal") { $0.isResponse && $0.id == .string("s-1") }
            XCTAssertEqual(refusal.errorCode, -32003, refusal.raw)
            XCTAssertEqual(refusal.error?["message"]?.stringValue,
                           "Sampling (sampling/createMessage) is not allowed for upstream 'untrusted-a' by proxy.serverRequests")
            XCTAssertEqual(refusal.error?["data"]?["reason"]?.stringValue, "serverRequestDenied")

            // Roots are not denied: they go through; the trusted upstream's sampling too.
            untrusted.send(#"{"jsonrpc":"2.0","id":"r-1","method":"roots/list"}"#)
            trusted.send(ServerToClientTests.sampling(id: #""s-2""#, marker: "trusted"))
            try await harness.client.waitFor("the roots request") { $0.method == "roots/list" }
            let relayed = try await harness.client.waitFor("the trusted sampling request") { $0.method == "sampling/createMessage" }
            XCTAssertEqual(relayed.params?["systemPrompt"]?.stringValue, "trusted")
            XCTAssertEqual(harness.client.received.filter { $0.method == "sampling/createMessage" }.count, 1,
                           "only the trusted upstream's sampling request reached the client")

            let metrics = harness.proxy.stats.prometheusText()
            XCTAssertTrue(metrics.contains(#"mcp_proxy_server_requests_refused_total{kind="sampling",reason="denied",upstream="untrusted-a"} 1"#), metrics)
        }
    }

    func testSamplingMaxTokensIsClampedBeforeTheClientSeesIt() async throws {
        let alpha = FakeUpstream("alpha")
        try await withProxy([alpha], options: Self.options([try Self.rule("*", maxTokens: 4)])) { harness in
            try await harness.initialize(capabilities: Self.allCapabilities)
            alpha.send(ServerToClientTests.sampling(id: "1"))  // asks for maxTokens 10
            let request = try await harness.client.waitFor("the sampling request") { $0.method == "sampling/createMessage" }
            XCTAssertEqual(request.params?["maxTokens"]?.intValue, 4, request.raw)
            XCTAssertEqual(request.params?["systemPrompt"]?.stringValue, "hello")
            // The answer still goes back to the upstream under its own id.
            harness.client.push(#"{"jsonrpc":"2.0","id":\#(request.id?.text ?? "null"),"result":\#(ServerToClientTests.samplingResult(model: "m"))}"#)
            let answer = try await alpha.waitFor("the answer") { $0.isResponse }
            XCTAssertEqual(answer.id, .int(1))
        }
    }

    func testTheRateIsPerClientSession() async throws {
        let alpha = FakeUpstream("alpha")
        let options = Self.options([try Self.rule("alpha", rate: TokenBucketLimit(rate: 0.001, burst: 2))])
        try await withProxy([alpha], options: options) { first in
            try await first.initialize(capabilities: Self.allCapabilities)
            for id in 1...3 { alpha.send(#"{"jsonrpc":"2.0","id":\#(id),"method":"roots/list"}"#) }
            let refusal = try await alpha.waitFor("the refusal of the third") { $0.isResponse && $0.id == .int(3) }
            XCTAssertEqual(refusal.errorCode, -32029, refusal.raw)
            XCTAssertEqual(refusal.error?["data"]?["reason"]?.stringValue, "serverRequestRateLimited")
            XCTAssertTrue(refusal.error?["message"]?.stringValue?.contains("upstream 'alpha'") == true, refusal.raw)
            XCTAssertEqual(first.client.received.filter { $0.method == "roots/list" }.count, 2)

            // Another client session (with its own upstream session) has a full bucket.
            let second = try await first.anotherClient()
            try await second.initialize(capabilities: Self.allCapabilities)
            try await eventually("the second upstream session") { alpha.transportsMade == 2 }
            alpha.send(#"{"jsonrpc":"2.0","id":"second","method":"roots/list"}"#)  // over the newest upstream session: the second client's
            try await second.client.waitFor("the second client's roots request") { $0.method == "roots/list" }
            let metrics = first.proxy.stats.prometheusText()
            XCTAssertTrue(metrics.contains(#"mcp_proxy_server_requests_refused_total{kind="roots",reason="rateLimited",upstream="alpha"} 1"#), metrics)
            await second.stop()
        }
    }

    func testTheHandshakeDoesNotDeclareDeniedCapabilities() async throws {
        let perSession = FakeUpstream("untrusted")
        let shared = FakeUpstream("untrusted-shared", policy: SharedPoolTests.shared())
        let trusted = FakeUpstream("trusted")
        let options = Self.options([try Self.rule("untrusted*", deny: [.sampling, .roots])])
        try await withProxy([perSession, shared, trusted], options: options) { harness in
            try await harness.initialize(capabilities: Self.allCapabilities)
            for (upstream, expected) in [(perSession, ["elicitation"]), (shared, ["elicitation"]), (trusted, ["elicitation", "roots", "sampling"])] {
                let initialize = try await upstream.firstRequest("initialize")
                XCTAssertEqual(initialize.params?["capabilities"]?.objectValue?.keys.sorted(), expected, "\(upstream.name): \(initialize.raw)")
            }
        }
    }

    func testRootsListChangedSkipsUpstreamsWhoseRootsAreDenied() async throws {
        let denied = FakeUpstream("denied")
        let allowed = FakeUpstream("allowed")
        try await withProxy([denied, allowed], options: Self.options([try Self.rule("denied", deny: [.roots])])) { harness in
            try await harness.initialize(capabilities: Self.allCapabilities)
            _ = try await denied.firstRequest("initialize")
            _ = try await allowed.firstRequest("initialize")
            harness.client.push(#"{"jsonrpc":"2.0","method":"notifications/roots/list_changed"}"#)
            try await allowed.waitFor("roots list_changed") { $0.method == "notifications/roots/list_changed" }
            // A request after it, on the same ordered path, shows the denied upstream got nothing before it.
            harness.client.push(#"{"jsonrpc":"2.0","method":"notifications/roots/list_changed"}"#)
            try await eventually("the second notification at the allowed upstream", that: {
                allowed.received("notifications/roots/list_changed").count == 2
            })
            XCTAssertTrue(denied.received("notifications/roots/list_changed").isEmpty, "\(denied.received.map(\.raw))")
        }
    }

    func testWithoutRulesNothingChanges() async throws {
        let alpha = FakeUpstream("alpha")
        try await withProxy([alpha]) { harness in
            try await harness.initialize(capabilities: Self.allCapabilities)
            let initialize = try await alpha.firstRequest("initialize")
            XCTAssertEqual(initialize.params?["capabilities"]?.objectValue?.keys.sorted(), ["elicitation", "roots", "sampling"])
            alpha.send(ServerToClientTests.sampling(id: "1"))
            let request = try await harness.client.waitFor("the sampling request") { $0.method == "sampling/createMessage" }
            XCTAssertEqual(request.params?["maxTokens"]?.intValue, 10)
            XCTAssertFalse(harness.proxy.stats.prometheusText().contains("mcp_proxy_server_requests_refused_total"))
        }
    }
}
