import XCTest
@testable import MCPConfig

/// Every contradictory or malformed security setting is rejected with its key path, its line and
/// what to do instead.
final class SecurityValidationTests: XCTestCase {
    private let secret32 = String(repeating: "s", count: 32)

    /// The problems of a file whose `proxy.auth` (starting on line 3) is `auth`, indented by 4.
    private func authProblems(_ auth: String, env: [String: String] = [:], file: StaticString = #filePath, line: UInt = #line) -> [ConfigProblem] {
        configProblems("mcpServers: { a: { command: x } }\nproxy:\n  auth:\n" + auth, env: env, file: file, line: line)
    }

    /// Asserts there is exactly one problem, at `keyPath` on `line`, whose message contains every fragment.
    private func assertOnly(_ problems: [ConfigProblem], _ keyPath: String, line expectedLine: Int, _ fragments: String...,
                            file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(problems.map(\.keyPath), [keyPath], "\(problems)", file: file, line: line)
        guard let problem = problems.first else { return }
        XCTAssertEqual(problem.line, expectedLine, "\(problem)", file: file, line: line)
        for fragment in fragments {
            XCTAssertTrue(problem.message.contains(fragment), "'\(problem.message)' lacks '\(fragment)'", file: file, line: line)
        }
    }

    // MARK: jwt

    func testKeySourcesAreMutuallyExclusive() {
        assertOnly(authProblems("""
                resource: https://mcp.example.com
                jwt:
                  issuer: me
                  secret: "\(secret32)"
                  jwks: https://login.example.com/jwks.json
            """), "proxy.auth.jwt.jwks", line: 8, "secret and jwks are mutually exclusive")
        assertOnly(authProblems("""
                resource: https://mcp.example.com
                jwt: { issuer: me, jwks: /j.json, publicKey: /k.pem }
            """), "proxy.auth.jwt.publicKey", line: 5, "jwks and publicKey are mutually exclusive")
    }

    func testAKeySourceAndTheIssuerAreRequired() {
        assertOnly(authProblems("""
                resource: https://mcp.example.com
                jwt:
                  issuer: me
            """), "proxy.auth.jwt", line: 5, "add one of jwks", "secret", "publicKey")
        assertOnly(authProblems("""
                resource: https://mcp.example.com
                jwt:
                  jwks: /etc/jwks.json
            """), "proxy.auth.jwt.issuer", line: 5, "missing: add issuer")
    }

    func testAlgorithmListMixingHMACAndPublicKeyFamiliesIsRejected() {
        assertOnly(authProblems("""
                resource: https://mcp.example.com
                jwt:
                  issuer: me
                  jwks: /etc/jwks.json
                  algorithms: [RS256, HS256]
            """), "proxy.auth.jwt.algorithms", line: 8, "mixes HMAC (HS256) with public-key algorithms (RS256)")
    }

    func testAlgorithmConfusionIsRejected() {
        assertOnly(authProblems("""
                resource: https://mcp.example.com
                jwt:
                  issuer: me
                  jwks: https://login.example.com/jwks.json
                  algorithms: [HS256]
            """), "proxy.auth.jwt.algorithms", line: 8, "HS256 is an HMAC algorithm", "proxy.auth.jwt.jwks holds public keys", "algorithm confusion")
        assertOnly(authProblems("""
                resource: https://mcp.example.com
                jwt:
                  issuer: me
                  publicKey: /etc/issuer.pem
                  algorithms: [HS512]
            """), "proxy.auth.jwt.algorithms", line: 8, "proxy.auth.jwt.publicKey holds public keys", "algorithm confusion")
        assertOnly(authProblems("""
                resource: https://mcp.example.com
                jwt:
                  issuer: me
                  secret: "\(secret32)"
                  algorithms: [RS256]
            """), "proxy.auth.jwt.algorithms", line: 8, "RS256 needs a public key, but the key source is a secret", "algorithm confusion")
    }

    func testOnePublicKeyCannotServeTwoKeyTypes() {
        assertOnly(authProblems("""
                resource: https://mcp.example.com
                jwt:
                  issuer: me
                  publicKey: /etc/issuer.pem
                  algorithms: [RS256, ES256]
            """), "proxy.auth.jwt.algorithms", line: 8, "publicKey is one key", "a P-256 EC key", "an RSA key")
    }

    func testShortSecretsAreRejectedWithTheRFCReason() {
        assertOnly(authProblems("""
                resource: https://mcp.example.com
                jwt:
                  issuer: me
                  secret: "${JWT_SECRET}"
            """, env: ["JWT_SECRET": "too-short"]), "proxy.auth.jwt.secret", line: 7,
                   "the secret is 9 bytes", "RFC 7518", "at least the hash size, 32 bytes for HS256")
        assertOnly(authProblems("""
                resource: https://mcp.example.com
                jwt: { issuer: me, secret: "\(String(repeating: "x", count: 40))", algorithms: [HS256, HS512] }
            """), "proxy.auth.jwt.secret", line: 5, "the secret is 40 bytes", "64 bytes for HS512")
        let problems = authProblems("""
                resource: https://mcp.example.com
                jwt: { issuer: me, secret: "\(String(repeating: "x", count: 40))", algorithms: [HS256, HS512] }
            """)
        XCTAssertFalse(problems.first?.message.contains("xxxx") ?? true, "a secret is never echoed")
    }

    func testUnknownAndUnsafeAlgorithms() {
        let problems = authProblems("""
                resource: https://mcp.example.com
                jwt:
                  issuer: me
                  jwks: /j.json
                  algorithms: [none, rs256, XS1]
            """)
        XCTAssertEqual(problems.map(\.keyPath), ["proxy.auth.jwt.algorithms[0]", "proxy.auth.jwt.algorithms[1]", "proxy.auth.jwt.algorithms[2]"])
        XCTAssertEqual(Set(problems.map(\.line)), [8])
        XCTAssertTrue(problems[0].message.contains("'none' is never accepted"))
        XCTAssertTrue(problems[1].message.contains("did you mean 'RS256'?"))
        XCTAssertTrue(problems[2].message.hasPrefix("expected one of HS256, HS384, HS512, RS256"))
        assertOnly(authProblems("""
                resource: https://mcp.example.com
                jwt: { issuer: me, jwks: /j.json, algorithms: [] }
            """), "proxy.auth.jwt.algorithms", line: 5, "leave algorithms out")
    }

    func testJWKSURLMustBeHTTPSUnlessLoopback() {
        assertOnly(authProblems("""
                resource: https://mcp.example.com
                jwt: { issuer: me, jwks: "http://login.example.com/jwks.json" }
            """), "proxy.auth.jwt.jwks", line: 5, "must use https://", "localhost")
        assertOnly(authProblems("""
                resource: https://mcp.example.com
                jwt: { issuer: me, jwks: "ftp://login.example.com/jwks.json" }
            """), "proxy.auth.jwt.jwks", line: 5, "the URL scheme must be https", "path of a JWKS file")
    }

    func testJWTNumbersAndUnknownKeys() {
        let problems = authProblems("""
                resource: https://mcp.example.com
                jwt:
                  issuer: me
                  jwks: /j.json
                  clockSkewSeconds: -1
                  jwksCacheSeconds: 0
                  rolesClaim: ""
                  isuer: me
            """)
        XCTAssertEqual(problems.map { "\($0.line ?? 0) \($0.keyPath)" }, [
            "8 proxy.auth.jwt.clockSkewSeconds", "9 proxy.auth.jwt.jwksCacheSeconds", "10 proxy.auth.jwt.rolesClaim", "11 proxy.auth.jwt.isuer",
        ])
        XCTAssertTrue(problems[3].message.contains("did you mean 'issuer'?"))
    }

    // MARK: resource

    func testResourceIsRequiredWithJWTOrAPIKeys() {
        assertOnly(authProblems("""
                jwt: { issuer: me, jwks: /j.json }
            """), "proxy.auth.resource", line: 3, "missing: jwt needs this proxy's canonical URI")
        assertOnly(authProblems("""
                apiKeys: [{ name: a, key: "0123456789abcdef0123" }]
                jwt: { issuer: me, jwks: /j.json }
            """), "proxy.auth.resource", line: 3, "missing: jwt and apiKeys need")
    }

    func testResourceMustBeAnAbsoluteHTTPSURL() {
        assertOnly(authProblems("    resource: http://mcp.example.com/mcp\n"), "proxy.auth.resource", line: 4, "must use https://")
        assertOnly(authProblems("    resource: /mcp\n"), "proxy.auth.resource", line: 4, "expected an absolute URL")
        assertOnly(authProblems("    resource: https://mcp.example.com/mcp#x\n"), "proxy.auth.resource", line: 4, "#fragment")
        assertOnly(authProblems("    authorizationServers: [\"http://login.example.com\"]\n"), "proxy.auth.authorizationServers[0]", line: 4, "must use https://")
        XCTAssertNotNil(loadConfig("mcpServers: { a: { command: x } }\nproxy:\n  auth:\n    resource: \"http://[::1]:8080/mcp\"\n"))
        XCTAssertNotNil(loadConfig("mcpServers: { a: { command: x } }\nproxy:\n  auth:\n    resource: http://localhost:8080/mcp\n"))
    }

    // MARK: apiKeys

    func testAPIKeyNeedsExactlyOneOfKeyAndSHA256() {
        assertOnly(authProblems("""
                resource: https://mcp.example.com
                apiKeys:
                  - { name: a, key: "0123456789abcdef0123", sha256: "\(String(repeating: "0", count: 64))" }
            """), "proxy.auth.apiKeys[0].sha256", line: 6, "mutually exclusive")
        assertOnly(authProblems("""
                resource: https://mcp.example.com
                apiKeys:
                  - { name: a, roles: [x] }
            """), "proxy.auth.apiKeys[0]", line: 6, "needs the key", "sha256")
    }

    func testSHA256MustBe64HexCharacters() {
        assertOnly(authProblems("""
                resource: https://mcp.example.com
                apiKeys:
                  - name: a
                    sha256: abc123
            """), "proxy.auth.apiKeys[0].sha256", line: 7, "expected 64 hex characters", "found 6 characters")
        assertOnly(authProblems("""
                resource: https://mcp.example.com
                apiKeys:
                  - { name: a, sha256: "\(String(repeating: "g", count: 64))" }
            """), "proxy.auth.apiKeys[0].sha256", line: 6, "not all hex")
    }

    func testAPIKeyNamesAreUniqueAndRequired() {
        assertOnly(authProblems("""
                resource: https://mcp.example.com
                apiKeys:
                  - { name: bot, key: "first-key-0123456789" }
                  - { name: bot, key: "second-key-0123456789" }
            """), "proxy.auth.apiKeys[1].name", line: 7, "'bot' is already used by proxy.auth.apiKeys[0]")
        assertOnly(authProblems("""
                resource: https://mcp.example.com
                apiKeys:
                  - { key: "first-key-0123456789" }
            """), "proxy.auth.apiKeys[0].name", line: 6, "missing: add name")
        assertOnly(authProblems("""
                resource: https://mcp.example.com
                apiKeys:
                  - { name: a, key: "same-key-0123456789" }
                  - { name: b, key: "same-key-0123456789" }
            """), "proxy.auth.apiKeys[1]", line: 7, "the same key is already configured")
    }

    func testSecretsAndKeysComeFromTheEnvironment() {
        let problems = authProblems("""
                resource: https://mcp.example.com
                jwt: { issuer: me, secret: "${JWT_SECRET}" }
                apiKeys:
                  - { name: ci, key: "${CI_KEY}" }
            """)
        XCTAssertEqual(problems.map { "\($0.line ?? 0) \($0.keyPath)" }, ["5 proxy.auth.jwt.secret", "7 proxy.auth.apiKeys[0].key"])
        XCTAssertTrue(problems[0].message.contains("'JWT_SECRET' is not set"))
        XCTAssertTrue(problems[1].message.contains("'CI_KEY' is not set"))

        let config = loadConfig("""
            mcpServers: { a: { command: x } }
            proxy:
              auth:
                resource: https://mcp.example.com
                jwt: { issuer: me, secret: "${JWT_SECRET}" }
                apiKeys:
                  - { name: ci, key: "${CI_KEY}" }
                  - { name: short, key: "${SHORT_KEY:-abc}" }
            """, env: ["JWT_SECRET": secret32, "CI_KEY": "from-the-environment-0123"])
        XCTAssertEqual(config?.proxy.auth?.jwt?.key, .secret(secret32))
        XCTAssertEqual(config?.proxy.auth?.apiKeys.map(\.credential), [.key("from-the-environment-0123"), .key("abc")])
        XCTAssertEqual(config?.warnings.count, 1)
        XCTAssertTrue(config?.warnings.first?.contains("test.yaml:8: proxy.auth.apiKeys[1].key: the key is only 3 characters") ?? false)
    }

    // MARK: required, mtls, stdioPrincipal, preAuthLimit

    func testRequiredTrueNeedsAnAuthenticator() {
        assertOnly(authProblems("    required: true\n"), "proxy.auth.required", line: 4, "no way to authenticate", "add jwt, apiKeys or mtls")
    }

    func testMTLSNeedsClientCertificatesOnTheListener() {
        assertOnly(authProblems("""
                mtls: { roles: { "CN=ops-bot": [admin] } }
            """), "proxy.auth.mtls", line: 4, "set proxy.listen.tls.ca")
        XCTAssertNotNil(loadConfig("""
            mcpServers: { a: { command: x } }
            proxy:
              listen: { tls: { certificate: /s.pem, privateKey: /s.key, ca: /ca.pem } }
              auth:
                mtls: { roles: { "CN=ops-bot": [admin] }, defaultRoles: [] }
            """))
    }

    func testPreAuthLimitAndStdioPrincipalValues() {
        let problems = authProblems("""
                preAuthLimit: { rate: 0, burst: 0, brust: 1 }
                stdioPrincipal: { subject: "", roles: local }
            """)
        XCTAssertEqual(problems.map { "\($0.line ?? 0) \($0.keyPath)" }, [
            "4 proxy.auth.preAuthLimit.brust", "4 proxy.auth.preAuthLimit.rate", "4 proxy.auth.preAuthLimit.burst",
            "5 proxy.auth.stdioPrincipal.subject", "5 proxy.auth.stdioPrincipal.roles",
        ])
        XCTAssertTrue(problems[0].message.contains("did you mean 'burst'?"))
        XCTAssertTrue(problems[1].message.contains("must be greater than 0"))
    }

    func testMisplacedAndMisspeltSecurityKeys() {
        let problems = configProblems("""
            mcpServers: { a: { command: x } }
            proxy:
              jwt: { issuer: me }
              rateLimit: []
              auth: { resourse: https://x.example.com }
            """)
        XCTAssertEqual(problems.map(\.keyPath), ["proxy.jwt", "proxy.rateLimit", "proxy.auth.resourse"])
        XCTAssertTrue(problems[0].message.contains("it belongs under proxy.auth"))
        XCTAssertTrue(problems[1].message.contains("did you mean 'rateLimits'?"))
        XCTAssertTrue(problems[2].message.contains("did you mean 'resource'?"))
    }

    // MARK: authorization

    func testRuleMustDecideSomething() {
        let problems = configProblems("""
            mcpServers: { a: { command: x } }
            proxy:
              authorization:
                rules:
                  - roles: [reader]
                  - { roles: [writer], tools: {} }
            """)
        XCTAssertEqual(problems.map { "\($0.line ?? 0) \($0.keyPath)" }, ["5 proxy.authorization.rules[0]", "6 proxy.authorization.rules[1].tools"])
        XCTAssertTrue(problems[0].message.contains("this rule decides nothing"))
        XCTAssertTrue(problems[0].message.contains("methods: { allow: [\"*\"] }"))
        XCTAssertTrue(problems[1].message.contains("add allow and/or deny"))
    }

    func testRuleGlobsDefaultAndKeysAreChecked() {
        let problems = configProblems("""
            mcpServers: { a: { command: x } }
            proxy:
              authorization:
                default: maybe
                rules:
                  - roles: [reader]
                    tools: { allow: ["alpha__[echo"] }
                    resources: { deny: [""] }
                    methods: { alow: ["*"] }
                    role: [x]
            """)
        XCTAssertEqual(problems.map { "\($0.line ?? 0) \($0.keyPath)" }, [
            "4 proxy.authorization.default", "7 proxy.authorization.rules[0].tools.allow[0]",
            "8 proxy.authorization.rules[0].resources.deny[0]", "9 proxy.authorization.rules[0].methods.alow",
            "10 proxy.authorization.rules[0].role",
        ])
        XCTAssertEqual(problems[0].message, "expected one of allow, deny, found \"maybe\"")
        XCTAssertTrue(problems[1].message.contains("never closed with ']'"))
        XCTAssertTrue(problems[3].message.contains("did you mean 'allow'?"))
        XCTAssertTrue(problems[4].message.contains("did you mean 'roles'?"))
    }

    func testRulesOnRolesWithoutAuthenticationWarn() throws {
        let config = try XCTUnwrap(loadConfig("""
            mcpServers: { a: { command: x } }
            proxy:
              authorization:
                rules:
                  - { scopes: [x], methods: { allow: ["*"] } }
                  - roles: [reader]
                    tools: { allow: ["*"] }
            """))
        XCTAssertEqual(config.warnings.count, 1)
        XCTAssertTrue(config.warnings[0].hasPrefix("test.yaml:6: proxy.authorization.rules[1].roles: proxy.auth has no jwt, apiKeys or mtls"))
        XCTAssertTrue(config.warnings[0].contains("never apply"))

        let stdio = try XCTUnwrap(loadConfig("""
            mcpServers: { a: { command: x } }
            proxy:
              auth: { stdioPrincipal: { roles: [reader] } }
              authorization:
                rules: [{ roles: [reader], tools: { allow: ["*"] } }]
            """))
        XCTAssertTrue(stdio.warnings.first?.contains("apply only to proxy.auth.stdioPrincipal") ?? false)
    }

    // MARK: rateLimits

    func testRateLimitValues() {
        let problems = configProblems("""
            mcpServers: { a: { command: x } }
            proxy:
              rateLimits:
                - { per: principal, rate: 0, burst: 1 }
                - { per: principal, rate: -2, burst: 0 }
                - { per: principal, rate: 1, burst: 1.5 }
                - { per: everyone, rate: fast }
                - { burst: 3 }
                - { per: upstream, rate: 1, tools: ["[x"], methods: ["tools/*"], brust: 2 }
            """)
        XCTAssertEqual(problems.map { "\($0.line ?? 0) \($0.keyPath)" }, [
            "4 proxy.rateLimits[0].rate",
            "5 proxy.rateLimits[1].rate", "5 proxy.rateLimits[1].burst",
            "6 proxy.rateLimits[2].burst",
            "7 proxy.rateLimits[3].per", "7 proxy.rateLimits[3].rate",
            "8 proxy.rateLimits[4].per", "8 proxy.rateLimits[4].rate",
            "9 proxy.rateLimits[5].brust", "9 proxy.rateLimits[5].tools[0]",
        ])
        XCTAssertEqual(problems[0].message, "must be greater than 0, found 0.0; fractions are allowed (0.5 is one every 2 seconds)")
        XCTAssertEqual(problems[2].message, "must be greater than 0, found 0")
        XCTAssertEqual(problems[3].message, "expected a whole number, found the number 1.5")
        XCTAssertEqual(problems[4].message, "expected one of principal, principal+tool, upstream, found \"everyone\"")
        XCTAssertEqual(problems[5].message, "expected requests per second, found the string \"fast\"")
        XCTAssertTrue(problems[8].message.contains("did you mean 'burst'?"))
    }

    // MARK: connection and session limits

    func testConnectionAndSessionLimitValues() {
        let problems = configProblems("""
            mcpServers: { a: { command: x } }
            proxy:
              listen:
                maxConnections: 0
                maxConnectionsPerAddress: -1
                headerTimeoutSeconds: 0
                idleTimeoutSeconds: soon
              limits: { maxSessions: 0, maxSessionsPerPrincipal: 1.5 }
            """)
        XCTAssertEqual(problems.map { "\($0.line ?? 0) \($0.keyPath)" }, [
            "4 proxy.listen.maxConnections", "5 proxy.listen.maxConnectionsPerAddress", "6 proxy.listen.headerTimeoutSeconds",
            "7 proxy.listen.idleTimeoutSeconds", "8 proxy.limits.maxSessions", "8 proxy.limits.maxSessionsPerPrincipal",
        ])
        let config = loadConfig("""
            mcpServers: { a: { command: x } }
            proxy:
              listen: { maxConnections: 10, maxConnectionsPerAddress: 20 }
            """)
        XCTAssertEqual(config?.warnings.count, 1)
        XCTAssertTrue(config?.warnings.first?.contains("proxy.listen.maxConnectionsPerAddress: 20 is more than maxConnections (10)") ?? false)
    }
}
