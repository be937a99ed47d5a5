import Testing
@testable import MCPConfig

/// `proxy.serverRequests`: every key read, defaults, and each bad value named with its key path.
@Suite struct ServerRequestsConfigTests {
    static let servers = "mcpServers: { a: { command: x } }\n"

    @Test func theExampleOfTheIssueLoads() throws {
        let config = try #require(loadConfig(Self.servers + """
        proxy:
          serverRequests:                  # first entry whose servers glob matches the upstream wins
            - servers: ["untrusted-*"]
              sampling: deny               # allow | deny (default allow)
              elicitation: deny
              roots: allow
              maxSamplingTokens: 1024      # clamp maxTokens of sampling/createMessage
              rate: { rate: 1, burst: 5 }  # server-initiated requests per second per client session
        """))
        #expect(config.proxy.serverRequests == [
            ServerRequestRule(servers: ["untrusted-*"], sampling: .deny, elicitation: .deny, roots: .allow,
                              maxSamplingTokens: 1024, rate: TokenBucketSetting(rate: 1, burst: 5)),
        ])
    }

    @Test func defaultsAndOrder() throws {
        let none = try #require(loadConfig(Self.servers))
        #expect(none.proxy.serverRequests.isEmpty)
        let config = try #require(loadConfig(Self.servers + """
        proxy:
          serverRequests:
            - { servers: [a, "b*"], rate: { rate: 0.5 } }
            - { roots: deny }
            - { sampling: false, elicitation: true }
        """))
        #expect(config.proxy.serverRequests == [
            ServerRequestRule(servers: ["a", "b*"], rate: TokenBucketSetting(rate: 0.5, burst: 1)),
            ServerRequestRule(servers: ["*"], roots: .deny),
            ServerRequestRule(sampling: .deny, elicitation: .allow),
        ])
        let burst = try #require(loadConfig(Self.servers + "proxy: { serverRequests: [ { rate: { rate: 2.5 } } ] }"))
        #expect(burst.proxy.serverRequests.first?.rate == TokenBucketSetting(rate: 2.5, burst: 3), "burst defaults to the rate rounded up")
    }

    @Test func warnings() throws {
        let empty = try #require(loadConfig(Self.servers + "proxy: { serverRequests: [ { servers: [], sampling: deny } ] }"))
        #expect(empty.warnings.contains { $0.contains("proxy.serverRequests[0].servers") && $0.contains("matches no upstream") })
        let useless = try #require(loadConfig(Self.servers + "proxy: { serverRequests: [ { sampling: deny, maxSamplingTokens: 10 } ] }"))
        #expect(useless.warnings.contains { $0.contains("proxy.serverRequests[0].maxSamplingTokens") && $0.contains("never applies") })
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var value: String
        var keyPath: String
        var message: String
        var testDescription: String { value }
    }

    static let cases: [Case] = [
        Case(value: "{ servers: [x], sampling: deny }", keyPath: "proxy.serverRequests",
             message: "expected a list of rules, e.g. - { servers: [\"untrusted-*\"], sampling: deny }, found a mapping"),
        Case(value: "[ deny ]", keyPath: "proxy.serverRequests[0]",
             message: "expected a mapping { servers, sampling, elicitation, roots, maxSamplingTokens, rate }, found the string \"deny\""),
        Case(value: "[ { sampling: refuse } ]", keyPath: "proxy.serverRequests[0].sampling", message: "expected one of allow, deny, found \"refuse\""),
        Case(value: "[ { elicitation: dney } ]", keyPath: "proxy.serverRequests[0].elicitation",
             message: "expected one of allow, deny, found \"dney\"; did you mean 'deny'?"),
        Case(value: "[ { roots: [deny] } ]", keyPath: "proxy.serverRequests[0].roots", message: "expected one of allow, deny, found a list"),
        Case(value: "[ { servers: \"untrusted-*\" } ]", keyPath: "proxy.serverRequests[0].servers", message: "expected a list of strings, found the string \"untrusted-*\""),
        Case(value: "[ { servers: [\"a[\"] } ]", keyPath: "proxy.serverRequests[0].servers[0]",
             message: "the '[' at character 2 of \"a[\" is never closed with ']'; write '\\[' for a literal bracket"),
        Case(value: "[ { maxSamplingTokens: 0 } ]", keyPath: "proxy.serverRequests[0].maxSamplingTokens", message: "must be greater than 0, found 0"),
        Case(value: "[ { maxSamplingTokens: 1.5 } ]", keyPath: "proxy.serverRequests[0].maxSamplingTokens", message: "expected a whole number, found the number 1.5"),
        Case(value: "[ { rate: 5 } ]", keyPath: "proxy.serverRequests[0].rate",
             message: "expected a mapping { rate, burst } (server-initiated requests per second per client session), found the number 5"),
        Case(value: "[ { rate: { burst: 5 } } ]", keyPath: "proxy.serverRequests[0].rate.rate",
             message: "missing: add rate: <requests per second per client session> (fractions allowed)"),
        Case(value: "[ { rate: { rate: 0 } } ]", keyPath: "proxy.serverRequests[0].rate.rate",
             message: "must be greater than 0, found 0.0; fractions are allowed (0.5 is one every 2 seconds)"),
        Case(value: "[ { rate: { rate: 1, burst: 0 } } ]", keyPath: "proxy.serverRequests[0].rate.burst", message: "must be greater than 0, found 0"),
        Case(value: "[ { rate: { rate: 1, per: session } } ]", keyPath: "proxy.serverRequests[0].rate.per",
             message: "unknown key in proxy.serverRequests rate (allowed: rate, burst)"),
        Case(value: "[ { maxTokens: 10 } ]", keyPath: "proxy.serverRequests[0].maxTokens",
             message: "unknown key in a proxy.serverRequests rule; write it as maxSamplingTokens"),
        Case(value: "[ { upstreams: [a] } ]", keyPath: "proxy.serverRequests[0].upstreams",
             message: "unknown key in a proxy.serverRequests rule; write it as servers (a list of globs on upstream names)"),
        Case(value: "[ { sampling: deny, burst: 3 } ]", keyPath: "proxy.serverRequests[0].burst",
             message: "unknown key in a proxy.serverRequests rule; put it inside rate: { rate, burst }"),
    ]

    @Test(arguments: cases) func badValuesAreNamed(_ bad: Case) {
        let problems = configProblems(Self.servers + "proxy: { serverRequests: \(bad.value) }")
        #expect(problems.at(bad.keyPath).map(\.message) == [bad.message], "\(problems)")
    }

    @Test func everyProblemOfOneFileIsReported() {
        let problems = configProblems(Self.servers + "proxy: { serverRequests: [ { sampling: no-way, maxSamplingTokens: -1 }, { roots: maybe } ] }")
        #expect(Set(problems.map(\.keyPath)) == ["proxy.serverRequests[0].sampling", "proxy.serverRequests[0].maxSamplingTokens", "proxy.serverRequests[1].roots"])
    }
}
