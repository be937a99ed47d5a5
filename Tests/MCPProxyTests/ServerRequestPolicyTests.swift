import JSONRPC
import MCPRouting
import MCPSecurity
import NIOCore
import Testing
@testable import MCPProxy

/// `proxy.serverRequests` as a unit: rule resolution (first match wins), deny, the per-session
/// rate, the `maxTokens` clamp, and the capabilities withheld from the handshake.
@Suite struct ServerRequestPolicyTests {
    static func rule(_ servers: [String], deny: Set<ServerRequestKind> = [], maxTokens: Int? = nil,
                     rate: TokenBucketLimit? = nil) throws -> ServerRequestRules.Rule {
        ServerRequestRules.Rule(servers: try servers.map { try GlobPattern($0) }, denied: deny, maxSamplingTokens: maxTokens, rate: rate)
    }

    static func message(_ text: String) throws -> JSONRPCMessage {
        try JSONRPCScanner().scanMessage(ByteBuffer(string: text))
    }

    static func sampling(maxTokens: String? = "100") throws -> JSONRPCMessage {
        let tokens = maxTokens.map { #","maxTokens":\#($0)"# } ?? ""
        return try message(#"{"jsonrpc":"2.0","id":"s1","method":"sampling/createMessage","params":{"messages":[{"role":"user","content":{"type":"text","text":"hi"}}]\#(tokens),"systemPrompt":"x"}}"#)
    }

    static let elicitation = #"{"jsonrpc":"2.0","id":2,"method":"elicitation/create","params":{"message":"name?","requestedSchema":{"type":"object"}}}"#
    static let roots = #"{"jsonrpc":"2.0","id":3,"method":"roots/list"}"#

    @Test func theFirstMatchingRuleWinsAndIsResolvedPerUpstream() throws {
        let rules = ServerRequestRules([
            try Self.rule(["untrusted-*"], deny: [.sampling]),
            try Self.rule(["untrusted-b", "other"], deny: [.roots]),
            try Self.rule(["*"], maxTokens: 10),
        ])
        #expect(rules.ruleIndex(for: "untrusted-b") == 0, "an earlier rule wins over a more specific later one")
        #expect(rules.ruleIndex(for: "other") == 1)
        #expect(rules.ruleIndex(for: "trusted") == 2)
        let policy = try #require(ServerRequestPolicy(rules, upstreams: ["trusted", "untrusted-a", "other"]))
        #expect(policy.ruleOfUpstream == [2, 0, 1])
        #expect(policy.withheldCapabilities(upstream: 1) == ["sampling"])
        #expect(policy.withheldCapabilities(upstream: 2) == ["roots"])
        #expect(policy.withheldCapabilities(upstream: 0) == [])
        #expect(policy.withheldCapabilities(upstream: 7) == [], "an index out of range has no rule")
        #expect(!policy.hasRates)
    }

    @Test func noRulesOrNoMatchMeansNoPolicy() throws {
        #expect(ServerRequestPolicy(ServerRequestRules(), upstreams: ["a"]) == nil)
        #expect(ServerRequestPolicy(ServerRequestRules([try Self.rule(["x-*"], deny: [.sampling])]), upstreams: ["a", "b"]) == nil)
    }

    @Test func deniedKindsAreRefusedNamingThePolicyAndOthersPass() throws {
        let policy = try #require(ServerRequestPolicy(ServerRequestRules([try Self.rule(["u"], deny: [.sampling, .elicitation])]), upstreams: ["ok", "u"]))
        let gate = ServerRequestGate(policy: policy)
        let sampling = try Self.sampling()
        guard case .refuse(let refusal) = gate.decide(.samplingCreateMessage, message: sampling, upstream: 1, name: "u", now: 0) else {
            Issue.record("sampling from a denied upstream must be refused")
            return
        }
        #expect(refusal.code == .accessDenied)
        #expect(refusal.message == "Sampling (sampling/createMessage) is not allowed for upstream 'u' by proxy.serverRequests")
        #expect(refusal.reason == "denied" && refusal.kind == .sampling)
        #expect(String(decoding: refusal.data, as: UTF8.self) == #"{"reason":"serverRequestDenied","policy":"proxy.serverRequests","upstream":"u","kind":"sampling"}"#)
        if case .refuse(let other) = gate.decide(.elicitationCreate, message: try Self.message(Self.elicitation), upstream: 1, name: "u", now: 0) {
            #expect(other.kind == .elicitation && other.message.hasPrefix("Elicitation (elicitation/create) is not allowed for upstream 'u'"))
        } else {
            Issue.record("elicitation from a denied upstream must be refused")
        }
        #expect(gate.decide(.rootsList, message: try Self.message(Self.roots), upstream: 1, name: "u", now: 0) == .relay([]))
        #expect(gate.decide(.samplingCreateMessage, message: sampling, upstream: 0, name: "ok", now: 0) == .relay([]), "an upstream no rule matches is not governed")
        #expect(gate.decide(.ping, message: sampling, upstream: 1, name: "u", now: 0) == .relay([]), "only sampling, elicitation and roots are governed")
    }

    @Test func theRateIsABucketPerSessionAndRule() throws {
        let rules = ServerRequestRules([
            try Self.rule(["a", "b"], rate: TokenBucketLimit(rate: 0.5, burst: 2)),
            try Self.rule(["c"], rate: TokenBucketLimit(rate: 100, burst: 1)),
        ])
        let policy = try #require(ServerRequestPolicy(rules, upstreams: ["a", "b", "c"]))
        #expect(policy.hasRates)
        let roots = try Self.message(Self.roots)
        let gate = ServerRequestGate(policy: policy)
        let second: UInt64 = 1_000_000_000
        #expect(gate.decide(.rootsList, message: roots, upstream: 0, name: "a", now: second) == .relay([]))
        #expect(gate.decide(.rootsList, message: roots, upstream: 1, name: "b", now: second) == .relay([]), "a and b share their rule's bucket")
        guard case .refuse(let refusal) = gate.decide(.rootsList, message: roots, upstream: 0, name: "a", now: second) else {
            Issue.record("the third request within the burst of 2 must be refused")
            return
        }
        #expect(refusal.code == .rateLimited && refusal.reason == "rateLimited" && refusal.kind == .roots)
        #expect(refusal.message.contains("upstream 'a'") && refusal.message.contains("proxy.serverRequests") && refusal.message.contains("retry in 2000 ms"), "\(refusal.message)")
        #expect(String(decoding: refusal.data, as: UTF8.self).hasSuffix(#""retryAfterMs":2000}"#))
        #expect(gate.decide(.rootsList, message: roots, upstream: 2, name: "c", now: second) == .relay([]), "another rule has its own bucket")
        #expect(ServerRequestGate(policy: policy).decide(.rootsList, message: roots, upstream: 0, name: "a", now: second) == .relay([]),
                "another client session has its own bucket")
        // 0.5 per second: one token back after 2 s.
        #expect(gate.decide(.rootsList, message: roots, upstream: 0, name: "a", now: 3 * second - 1_000_000) != .relay([]))
        #expect(gate.decide(.rootsList, message: roots, upstream: 0, name: "a", now: 3 * second) == .relay([]))
    }

    @Test func deniedRequestsTakeNoToken() throws {
        let policy = try #require(ServerRequestPolicy(ServerRequestRules([try Self.rule(["a"], deny: [.sampling], rate: TokenBucketLimit(rate: 1, burst: 1))]), upstreams: ["a"]))
        let gate = ServerRequestGate(policy: policy)
        _ = gate.decide(.samplingCreateMessage, message: try Self.sampling(), upstream: 0, name: "a", now: 5)
        #expect(gate.decide(.rootsList, message: try Self.message(Self.roots), upstream: 0, name: "a", now: 5) == .relay([]))
    }

    @Test(arguments: [("2048", "1024"), ("1025", "1024"), ("1e5", "1024"), ("4096.0", "1024"), ("1024", nil), ("100", nil), ("1023.5", nil), ("\"many\"", nil)])
    func maxTokensIsClampedOnlyWhenLarger(_ asked: String, _ sent: String?) throws {
        let policy = try #require(ServerRequestPolicy(ServerRequestRules([try Self.rule(["*"], maxTokens: 1024)]), upstreams: ["a"]))
        let message = try Self.sampling(maxTokens: asked)
        let decision = ServerRequestGate(policy: policy).decide(.samplingCreateMessage, message: message, upstream: 0, name: "a", now: 0)
        guard case .relay(let edits) = decision else {
            Issue.record("a sampling request within policy is relayed")
            return
        }
        let out = message.splicing(edits)
        let relayed = try JSONValue(parsing: Array(out.readableBytesView))
        if let sent {
            #expect(edits.count == 1)
            #expect(relayed["params"]?["maxTokens"] == (try JSONValue(parsing: Array(sent.utf8))))
            // Every other byte is as the upstream sent it.
            #expect(String(buffer: out) == String(buffer: message.bytes).replacingOccurrences(of: #""maxTokens":\#(asked)"#, with: #""maxTokens":\#(sent)"#))
        } else {
            #expect(edits.isEmpty, "\(asked) is not above 1024 (or not a number): left alone")
        }
    }

    @Test func aRequestWithoutMaxTokensIsLeftAlone() throws {
        #expect(ServerRequestGate.clampMaxTokens(try Self.sampling(maxTokens: nil), to: 5) == nil)
    }

    @Test func theHandshakeWithholdsDeniedCapabilities() throws {
        let handshake = UpstreamHandshake.make(
            capabilities: ["roots": .object(["listChanged": .bool(true)]), "sampling": .object([:]), "elicitation": .object(["form": .object([:])])],
            title: "t", options: ProxyOptions())
        let withheld = handshake.withholding(["sampling", "elicitation"])
        let params = try JSONValue(parsing: withheld.initializeParams)
        #expect(params["capabilities"]?.objectValue?.keys.sorted() == ["roots"])
        #expect(params["capabilities"]?["roots"]?["listChanged"]?.boolValue == true)
        #expect(params["clientInfo"]?["title"]?.stringValue == "t", "the rest of initialize is unchanged")
        #expect(params["protocolVersion"] == (try JSONValue(parsing: handshake.initializeParams))["protocolVersion"])
        #expect(handshake.withholding([]).initializeParams == handshake.initializeParams)
        #expect(handshake.withholding(["tools"]).initializeParams == handshake.initializeParams, "nothing to take out: unchanged")
        let none = try JSONValue(parsing: handshake.withholding(["sampling", "elicitation", "roots"]).initializeParams)
        #expect(none["capabilities"]?.objectValue?.isEmpty == true)
    }
}
