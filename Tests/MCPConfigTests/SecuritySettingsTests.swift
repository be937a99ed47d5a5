import XCTest
@testable import MCPConfig

/// Every security key parses into the value it names, and leaving them out changes nothing.
final class SecuritySettingsTests: XCTestCase {
    private let secret = "0123456789abcdef0123456789abcdef" // 32 bytes

    func testDefaultsWithoutSecuritySections() throws {
        let config = try XCTUnwrap(loadConfig("mcpServers: { a: { command: x } }"))
        XCTAssertNil(config.proxy.auth)
        XCTAssertNil(config.proxy.authorization)
        XCTAssertEqual(config.proxy.rateLimits, [])
        XCTAssertEqual(config.proxy.maxSessions, 10_000)
        XCTAssertEqual(config.proxy.maxSessionsPerPrincipal, 100)
        XCTAssertEqual(config.proxy.listen.maxConnections, 4096)
        XCTAssertEqual(config.proxy.listen.maxConnectionsPerAddress, 256)
        XCTAssertEqual(config.proxy.listen.headerTimeoutSeconds, 10)
        XCTAssertEqual(config.proxy.listen.idleTimeoutSeconds, 60)
        XCTAssertEqual(config.proxy, .defaults)
        let empty = AuthSettings()
        XCTAssertFalse(empty.required)
        XCTAssertFalse(empty.hasAuthenticators)
        XCTAssertEqual(empty.preAuthLimit, TokenBucketSetting(rate: 20, burst: 100))
    }

    func testEveryAuthKeyParses() throws {
        let config = try XCTUnwrap(loadConfig("""
        mcpServers: { a: { command: x } }
        proxy:
          listen:
            tls: { certificate: /s.pem, privateKey: /s.key, ca: /clients.pem }
          auth:
            resource: https://mcp.example.com/mcp
            authorizationServers: [https://login.example.com]
            scopesSupported: [mcp.tools, mcp.admin]
            required: true
            jwt:
              issuer: https://login.example.com
              audience: api://mcp
              jwks: https://login.example.com/jwks.json
              algorithms: [RS256, ES256]
              clockSkewSeconds: 15
              rolesClaim: groups
              jwksCacheSeconds: 120
            apiKeys:
              - { name: ci-bot, key: "${CI_BOT_KEY}", roles: [ci], scopes: [mcp.tools] }
              - { name: ops, sha256: "\(String(repeating: "AB", count: 32))" }
            mtls: { roles: { "CN=ops-bot": [admin] }, defaultRoles: [device] }
            stdioPrincipal: { subject: me, roles: [admin], scopes: [mcp.tools] }
            preAuthLimit: { rate: 5.5, burst: 10 }
        """, env: ["CI_BOT_KEY": "ci-key-0123456789abcdef"]))
        let auth = try XCTUnwrap(config.proxy.auth)
        XCTAssertEqual(auth.resource, "https://mcp.example.com/mcp")
        XCTAssertEqual(auth.authorizationServers, ["https://login.example.com"])
        XCTAssertEqual(auth.scopesSupported, ["mcp.tools", "mcp.admin"])
        XCTAssertTrue(auth.required)
        XCTAssertEqual(auth.jwt, JWTSettings(issuer: "https://login.example.com", audience: "api://mcp",
                                             key: .jwksURL("https://login.example.com/jwks.json"), algorithms: [.rs256, .es256],
                                             clockSkewSeconds: 15, rolesClaim: "groups", jwksCacheSeconds: 120))
        XCTAssertEqual(auth.apiKeys, [
            APIKeySetting(name: "ci-bot", credential: .key("ci-key-0123456789abcdef"), roles: ["ci"], scopes: ["mcp.tools"]),
            APIKeySetting(name: "ops", credential: .sha256(String(repeating: "ab", count: 32))),
        ])
        XCTAssertEqual(auth.mtls, MTLSSettings(roles: ["CN=ops-bot": ["admin"]], defaultRoles: ["device"]))
        XCTAssertEqual(auth.stdioPrincipal, StdioPrincipalSetting(subject: "me", roles: ["admin"], scopes: ["mcp.tools"]))
        XCTAssertEqual(auth.preAuthLimit, TokenBucketSetting(rate: 5.5, burst: 10))
        XCTAssertEqual(config.warnings, [])
    }

    func testSecretFromEnvironmentDefaultsToHS256AndAudienceToResource() throws {
        let config = try XCTUnwrap(loadConfig("""
        mcpServers: { a: { command: x } }
        proxy:
          auth:
            resource: http://127.0.0.1:8080/mcp
            jwt: { issuer: me, secret: "${JWT_SECRET}" }
        """, env: ["JWT_SECRET": secret]))
        let auth = try XCTUnwrap(config.proxy.auth)
        XCTAssertTrue(auth.required, "required defaults to true when jwt is configured")
        let jwt = try XCTUnwrap(auth.jwt)
        XCTAssertEqual(jwt.key, .secret(secret))
        XCTAssertEqual(jwt.algorithms, [.hs256])
        XCTAssertEqual(jwt.audience, "http://127.0.0.1:8080/mcp")
        XCTAssertEqual(jwt.clockSkewSeconds, 30)
        XCTAssertEqual(jwt.rolesClaim, "roles")
        XCTAssertEqual(jwt.jwksCacheSeconds, 300)
        XCTAssertEqual(auth.preAuthLimit, .preAuthDefault)
    }

    func testKeySourcesAndAlgorithmDefaults() throws {
        func jwt(_ line: String, env: [String: String] = [:]) throws -> JWTSettings {
            let config = try XCTUnwrap(loadConfig("""
            mcpServers: { a: { command: x } }
            proxy:
              auth:
                resource: https://mcp.example.com
                jwt: { issuer: me, \(line) }
            """, env: env))
            return try XCTUnwrap(config.proxy.auth?.jwt)
        }
        XCTAssertEqual(try jwt("jwks: /etc/mcp/jwks.json").key, .jwksFile("/etc/mcp/jwks.json"))
        XCTAssertEqual(try jwt("jwks: /etc/mcp/jwks.json").algorithms, [], "empty means: the algorithms of the keys")
        XCTAssertEqual(try jwt("jwks: http://localhost:9000/jwks").key, .jwksURL("http://localhost:9000/jwks"))
        XCTAssertEqual(try jwt("publicKey: /etc/mcp/issuer.pem, algorithms: [RS256, PS512]").key, .publicKeyFile("/etc/mcp/issuer.pem"))
        XCTAssertEqual(try jwt("publicKey: \"${PEM}\"", env: ["PEM": "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----"]).key,
                       .publicKeyPEM("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----"))
        XCTAssertEqual(try jwt("secret: \"\(String(repeating: "s", count: 64))\", algorithms: [HS512, HS256]").algorithms, [.hs512, .hs256])
        XCTAssertEqual(try jwt("jwks: /j.json, algorithms: [EdDSA, ES384, PS256]").algorithms, [.eddsa, .es384, .ps256])
    }

    func testRequiredFalseIsAllowedWithAWarning() throws {
        let config = try XCTUnwrap(loadConfig("""
        mcpServers: { a: { command: x } }
        proxy:
          auth:
            resource: https://mcp.example.com
            required: false
            apiKeys: [{ name: dev, key: "${DEV_KEY}" }]
            preAuthLimit: false
        """, env: ["DEV_KEY": "dev-key-0123456789abcdef"]))
        XCTAssertEqual(config.proxy.auth?.required, false)
        XCTAssertNil(config.proxy.auth?.preAuthLimit, "preAuthLimit: false turns the limit off")
        XCTAssertEqual(config.warnings.count, 1)
        XCTAssertTrue(config.warnings[0].hasPrefix("test.yaml:5: proxy.auth.required: false: callers without credentials get an anonymous principal"))
    }

    func testAuthorizationParses() throws {
        let config = try XCTUnwrap(loadConfig("""
        mcpServers: { a: { command: x } }
        proxy:
          auth:
            resource: https://mcp.example.com
            apiKeys: [{ name: r, key: "reader-key-0123456789" }]
          authorization:
            default: deny
            rules:
              - roles: [reader]
                tools: { allow: ["alpha__echo"], deny: [] }
                prompts: { allow: ["p*"], deny: ["p_secret"] }
                resources: { deny: ["file:///etc/*"] }
                methods: { allow: ["*"] }
                requireScopes: [mcp.tools]
              - { scopes: [admin], subjects: [alice], methods: { allow: ["*"] } }
              - { requireScopes: [mcp.other] }
        """))
        let authorization = try XCTUnwrap(config.proxy.authorization)
        XCTAssertEqual(authorization.defaultDecision, .deny)
        XCTAssertEqual(authorization.rules, [
            AuthorizationRule(roles: ["reader"], tools: AccessList(allow: ["alpha__echo"], deny: []),
                              prompts: AccessList(allow: ["p*"], deny: ["p_secret"]), resources: AccessList(deny: ["file:///etc/*"]),
                              methods: AccessList(allow: ["*"]), requireScopes: ["mcp.tools"]),
            AuthorizationRule(scopes: ["admin"], subjects: ["alice"], methods: AccessList(allow: ["*"])),
            AuthorizationRule(requireScopes: ["mcp.other"]),
        ])
        XCTAssertTrue(authorization.rules[2].appliesToEveryone)
        XCTAssertEqual(config.warnings, [])
    }

    func testRateLimitsParse() throws {
        let config = try XCTUnwrap(loadConfig("""
        mcpServers: { a: { command: x } }
        proxy:
          rateLimits:
            - { per: principal, rate: 50, burst: 100 }
            - { per: principal+tool, tools: ["*__search*"], rate: 2, burst: 5, roles: [reader], methods: ["tools/call"] }
            - { per: upstream, tools: ["alpha__*"], rate: 0.5 }
            - { per: principal, rate: "${RATE}", burst: "${BURST}" }
        """, env: ["RATE": "2.5", "BURST": "7"]))
        XCTAssertEqual(config.proxy.rateLimits, [
            RateLimitSetting(per: .principal, rate: 50, burst: 100),
            RateLimitSetting(per: .principalAndTool, rate: 2, burst: 5, tools: ["*__search*"], roles: ["reader"], methods: ["tools/call"]),
            RateLimitSetting(per: .upstream, rate: 0.5, burst: 1, tools: ["alpha__*"]),
            RateLimitSetting(per: .principal, rate: 2.5, burst: 7),
        ])
        XCTAssertEqual(config.warnings, [])
    }

    func testConnectionAndSessionLimitsParse() throws {
        let config = try XCTUnwrap(loadConfig("""
        mcpServers: { a: { command: x } }
        proxy:
          listen:
            maxConnections: 100
            maxConnectionsPerAddress: 10
            headerTimeoutSeconds: 2.5
            idleTimeoutSeconds: 30
          limits:
            maxSessions: 50
            maxSessionsPerPrincipal: 5
        """))
        XCTAssertEqual(config.proxy.listen.maxConnections, 100)
        XCTAssertEqual(config.proxy.listen.maxConnectionsPerAddress, 10)
        XCTAssertEqual(config.proxy.listen.headerTimeoutSeconds, 2.5)
        XCTAssertEqual(config.proxy.listen.idleTimeoutSeconds, 30)
        XCTAssertEqual(config.proxy.maxSessions, 50)
        XCTAssertEqual(config.proxy.maxSessionsPerPrincipal, 5)
    }

    func testSecureGatewayExampleLoads() throws {
        let path = examplesDirectory() + "/secure-gateway.yaml"
        let env = ["MCP_JWT_SECRET": String(repeating: "k", count: 32), "CI_BOT_KEY": "ci-bot-key-0123456789abcdef"]
        let config = try ConfigLoader.load(path: path, environment: env)
        let auth = try XCTUnwrap(config.proxy.auth)
        XCTAssertEqual(auth.jwt?.key, .secret(String(repeating: "k", count: 32)))
        XCTAssertEqual(auth.jwt?.algorithms, [.hs256])
        XCTAssertEqual(auth.apiKeys.map(\.name), ["ci-bot"])
        XCTAssertTrue(auth.required)
        XCTAssertEqual(config.proxy.authorization?.rules.count, 2)
        XCTAssertFalse(config.proxy.rateLimits.isEmpty)
        XCTAssertEqual(config.warnings, [])

        XCTAssertThrowsError(try ConfigLoader.load(path: path, environment: [:])) { error in
            let keyPaths = (error as? ConfigError)?.problems.map(\.keyPath) ?? []
            XCTAssertEqual(keyPaths, ["proxy.auth.jwt.secret", "proxy.auth.apiKeys[0].key"])
        }
    }
}

/// The commented security block of full.yaml stays loadable.
final class FullExampleSecurityBlockTests: XCTestCase {
    func testCommentedSecurityBlockLoadsWhenUncommented() throws {
        let source = try String(contentsOfFile: examplesDirectory() + "/full.yaml", encoding: .utf8)
        var lines = source.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let start = try XCTUnwrap(lines.firstIndex(of: "  # listen:                               # network mode; these four are the connection caps"))
        for index in start..<lines.count where lines[index].hasPrefix("  #") {
            lines[index] = lines[index] == "  #" ? "" : "  " + lines[index].dropFirst(4)
        }
        let config = try XCTUnwrap(loadConfig(lines.joined(separator: "\n"), env: ["DOCS_TOKEN": "t", "CI_BOT_KEY": "ci-bot-key-0123456789abcdef"]))
        XCTAssertEqual(config.proxy.auth?.jwt?.key, .jwksURL("https://login.example.com/jwks.json"))
        XCTAssertEqual(config.proxy.auth?.mtls?.roles, ["CN=ops-bot": ["admin"]])
        XCTAssertEqual(config.proxy.authorization?.rules.count, 2)
        XCTAssertEqual(config.proxy.rateLimits.count, 2)
        XCTAssertEqual(config.proxy.listen.maxConnections, 4096)
    }
}
