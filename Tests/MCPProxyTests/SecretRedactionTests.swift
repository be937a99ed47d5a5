import JSONRPC
import MCPProxy
import MCPStats
import Testing

/// The result guards alone: each built-in secret kind, custom patterns, where in a result
/// redaction applies, the size limit, and the order of the combined guard.
@Suite struct SecretRedactionTests {
    static let pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA1c7+9z5Pad7OejecsQ0bu3aumpz6AEYnwSWkvQwIDAQAB\n-----END RSA PRIVATE KEY-----"
    static let aws = "AKIAIOSFODNN7EXAMPLE"
    static let github = "ghp_" + String(repeating: "a1B2", count: 9)
    static let fineGrained = "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuv"
    static let slack = "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx"
    static let jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"
    static let bearerValue = "mF_9.B5f-4.1JqM~abcdefghijkl"

    private func redactor(_ patterns: [String] = []) throws -> SecretRedactor {
        try SecretRedactor(builtIn: true, patterns: patterns)
    }

    private func redacted(_ text: String, patterns: [String] = []) throws -> (String?, [String: Int]) {
        var counts: [String: Int] = [:]
        let out = try redactor(patterns).redact(text, counts: &counts)
        return (out, counts)
    }

    @Test(arguments: [
        (pem, "private_key"), (aws, "aws_access_key"), (github, "github_token"), (fineGrained, "github_token"),
        (slack, "slack_token"), (jwt, "jwt"),
    ])
    func eachBuiltInKindIsRedacted(secret: String, kind: String) throws {
        let (out, counts) = try redacted("before \(secret) after")
        #expect(out == "before [REDACTED:\(kind)] after")
        #expect(counts == [kind: 1])
        #expect(SecretScanner.mayContainSecret(Array(secret.utf8)))
    }

    @Test func bearerKeepsTheWordAndHidesTheValue() throws {
        let (out, counts) = try redacted("Authorization: Bearer \(Self.bearerValue)\nnext")
        #expect(out == "Authorization: Bearer [REDACTED:bearer]\nnext")
        #expect(counts == ["bearer": 1])
        let (jwtBearer, jwtCounts) = try redacted("bearer \(Self.jwt)")
        #expect(jwtBearer == "bearer [REDACTED:bearer]", "a JWT after Bearer is one bearer value")
        #expect(jwtCounts == ["bearer": 1])
    }

    @Test func aTruncatedPrivateKeyIsHiddenToTheEnd() throws {
        let (out, _) = try redacted("key: -----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ")
        #expect(out == "key: [REDACTED:private_key]")
    }

    @Test func ordinaryTextIsLeftAlone() throws {
        for text in ["The Bearer scheme is described in RFC 6750.", "AKIA is a prefix", "xAKIAIOSFODNN7EXAMPLE",
                     "ghp_short", "eyJ alone", "a public key: -----BEGIN PUBLIC KEY-----\nabc\n-----END PUBLIC KEY-----",
                     "xoxb-short", "nothing here"] {
            let (out, counts) = try redacted(text)
            #expect(out == nil, "\(text)")
            #expect(counts.isEmpty)
        }
        #expect(!SecretScanner.mayContainSecret(Array(#"{"content":[{"type":"text","text":"hello"}]}"#.utf8)))
    }

    @Test func severalSecretsInOneTextAreEachCounted() throws {
        let (out, counts) = try redacted("\(Self.aws) and \(Self.aws), \(Self.jwt)")
        #expect(out == "[REDACTED:aws_access_key] and [REDACTED:aws_access_key], [REDACTED:jwt]")
        #expect(counts == ["aws_access_key": 2, "jwt": 1])
    }

    @Test func customPatternsAreRedactedAsCustom() throws {
        var counts: [String: Int] = [:]
        let only = try SecretRedactor(builtIn: false, patterns: ["sk-[A-Za-z0-9]{32,}"])
        let key = "sk-" + String(repeating: "Ab3", count: 12)
        #expect(only.redact("use \(key) now", counts: &counts) == "use [REDACTED:custom] now")
        #expect(counts == ["custom": 1])
        #expect(only.redact("use \(Self.aws)", counts: &counts) == nil, "built-ins are off")
        #expect(throws: (any Error).self) { try SecretRedactor(builtIn: false, patterns: ["(unclosed"]) }
    }

    @Test func redactionCoversTextContentEmbeddedResourcesAndStructuredContent() throws {
        let result = #"{"content":[{"type":"text","text":"key \#(Self.aws)"},{"type":"image","data":"AKIAIOSFODNN7EXAMPLE","mimeType":"image/png"},"#
            + #"{"type":"resource","resource":{"uri":"file:///k","text":"\#(Self.github)"}}],"#
            + #""structuredContent":{"nested":{"list":["\#(Self.jwt)",3]},"AKIAIOSFODNN7EXAMPLE":true},"isError":false}"#
        let stats = StatsRegistry()
        let guards = try ResultGuards(maxResultBytes: nil, redactSecrets: true, redactPatterns: [], stats: stats)
        let (out, note) = try #require(guards.redact(Array(result.utf8)))
        let value = try JSONValue(parsing: out)
        #expect(element(value["content"], 0)?["text"]?.stringValue == "key [REDACTED:aws_access_key]")
        #expect(element(value["content"], 1)?["data"]?.stringValue == "AKIAIOSFODNN7EXAMPLE", "only text content is redacted")
        #expect(element(value["content"], 2)?["resource"]?["text"]?.stringValue == "[REDACTED:github_token]")
        #expect(element(value["structuredContent"]?["nested"]?["list"], 0)?.stringValue == "[REDACTED:jwt]")
        #expect(value["structuredContent"]?["AKIAIOSFODNN7EXAMPLE"]?.boolValue == true, "keys are not values")
        #expect(value["isError"]?.boolValue == false)
        #expect(note == "redacted=aws_access_key:1,github_token:1,jwt:1")
        let counters = stats.snapshot().counters.filter { $0.name == "mcp_proxy_redactions_total" }
        #expect(counters.first { $0.labels["kind"] == "aws_access_key" }?.value == 1)
        #expect(counters.first { $0.labels["kind"] == "jwt" }?.value == 1)
        #expect(counters.first { $0.labels["kind"] == "private_key" }?.value == 0)
        #expect(guards.redact(Array(#"{"content":[{"type":"text","text":"clean"}]}"#.utf8)) == nil)
    }

    @Test func anOversizedResultBecomesAnErrorThatNamesTheLimit() throws {
        let stats = StatsRegistry()
        let guards = try ResultGuards(maxResultBytes: 64, redactSecrets: false, redactPatterns: [], stats: stats)
        let call = GovernedCall(method: "tools/call", name: "docs__read", tool: "read", upstream: "docs", arguments: nil,
                                principal: .anonymous, session: "s", endpoint: nil)
        #expect(guards.checkSize(Array(repeating: UInt8(ascii: " "), count: 64), of: call) == nil)
        let refusal = try #require(guards.checkSize(Array(repeating: UInt8(ascii: " "), count: 65), of: call))
        #expect(refusal.reason == "resultTooLarge")
        #expect(refusal.message.contains("65 bytes") && refusal.message.contains("64") && refusal.message.contains("proxy.guards.maxResultBytes"))
        #expect(refusal.message.contains("docs__read"))
        let data = try JSONValue(parsing: try #require(refusal.data))
        #expect(data["limit"]?.intValue == 64 && data["size"]?.intValue == 65)
        #expect(stats.snapshot().counters.first { $0.name == "mcp_proxy_guard_refused_total" }?.value == 1)
    }

    @Test func theCombinedGuardChecksSizeThenRedactsAndOnlyToolResults() async throws {
        let guards = try ResultGuards(maxResultBytes: 1000, redactSecrets: true, redactPatterns: [], stats: StatsRegistry())
        let combined = try #require(GovernanceResultGuard(guards: guards, hook: nil))
        #expect(combined.applies(to: .toolsCall))
        #expect(!combined.applies(to: .promptsGet))
        #expect(GovernanceResultGuard(guards: nil, hook: nil) == nil)
        let call = GovernedCall(method: "tools/call", name: "t", tool: "t", upstream: "u", arguments: nil, principal: .anonymous, session: "s", endpoint: nil)
        let secret = Array(#"{"content":[{"type":"text","text":"\#(Self.slack)"}]}"#.utf8)
        guard case .replace(let out, let note) = await combined.inspect(secret, of: call) else {
            Issue.record("expected a redacted replacement")
            return
        }
        #expect(String(decoding: out, as: UTF8.self).contains("[REDACTED:slack_token]"))
        #expect(note == "redacted=slack_token:1")
        let clean = Array(#"{"content":[]}"#.utf8)
        #expect(await combined.inspect(clean, of: call) == .pass(note: nil))
        let big = Array(#"{"content":[{"type":"text","text":""#.utf8) + Array(repeating: UInt8(ascii: "x"), count: 2000) + Array(#""}]}"#.utf8)
        guard case .refuse(let refusal, _) = await combined.inspect(big, of: call) else {
            Issue.record("expected the size limit to refuse")
            return
        }
        #expect(refusal.reason == "resultTooLarge")
    }

    @Test func withoutAHookReviewingResultsTheGuardDecidesAtOnceAsInspectWould() async throws {
        let guards = try ResultGuards(maxResultBytes: 1000, redactSecrets: true, redactPatterns: [], stats: StatsRegistry())
        let combined = try #require(GovernanceResultGuard(guards: guards, hook: nil))
        let call = GovernedCall(method: "tools/call", name: "t", tool: "t", upstream: "u", arguments: nil, principal: .anonymous, session: "s", endpoint: nil)
        let secret = Array(#"{"content":[{"type":"text","text":"\#(Self.slack)"}]}"#.utf8)
        let clean = Array(#"{"content":[]}"#.utf8)
        let big = Array(#"{"content":[{"type":"text","text":""#.utf8) + Array(repeating: UInt8(ascii: "x"), count: 2000) + Array(#""}]}"#.utf8)
        for result in [secret, clean, big] {
            let now = try #require(combined.inspectImmediately(result, of: call), "no network is needed, so no task either")
            #expect(now == (await combined.inspect(result, of: call)))
        }
        let prompt = GovernedCall(method: "prompts/get", name: "p", tool: nil, upstream: "u", arguments: nil, principal: .anonymous, session: "s", endpoint: nil)
        #expect(combined.inspectImmediately(secret, of: prompt) == .pass(note: nil), "only tool results are guarded")
    }
}

/// The element at `index` of a JSON array, or nil.
private func element(_ array: JSONValue?, _ index: Int) -> JSONValue? {
    guard case .array(let items)? = array, items.indices.contains(index) else { return nil }
    return items[index]
}
