import XCTest
@testable import MCPConfig

/// Per-user upstream credentials: `${principal.*}` header templates and `auth.tokenExchange`.
final class UserCredentialsConfigTests: XCTestCase {
    private let auth = """
    proxy:
      auth:
        resource: https://gw.example.com/mcp
        jwt: { issuer: https://login.example.com, secret: "${JWT_SECRET}" }
    """
    private let env = ["JWT_SECRET": "0123456789abcdef0123456789abcdef", "TE_SECRET": "s3cr3t"]

    private func server(_ body: String) -> String {
        """
        mcpServers:
          tickets:
        \(body.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n"))
        \(auth)
        """
    }

    func testTheIssueExampleLoads() throws {
        let text = server("""
        url: https://tickets.internal/mcp
        headers:
          X-User: "${principal.subject}"
          X-Team: "team=${principal.claims.team}; roles=${principal.roles}"
          X-Static: "${TE_SECRET}"
        auth:
          tokenExchange:
            tokenEndpoint: https://login.example.com/oauth2/token
            clientId: mcp-gateway
            clientSecret: ${TE_SECRET}
            audience: https://tickets.internal
            scope: tickets.write
        """)
        let config = try XCTUnwrap(loadConfig(text, env: env))
        let tickets = try XCTUnwrap(config.servers.first)
        XCTAssertEqual(tickets.principalHeaders["X-User"], HeaderTemplate([.subject]))
        XCTAssertEqual(tickets.principalHeaders["X-Team"], HeaderTemplate([.text("team="), .claim("team"), .text("; roles="), .roles]))
        guard case .remote(_, let kind, let headers) = tickets.transport else { return XCTFail("expected a remote server") }
        XCTAssertEqual(kind, .streamableHTTP)
        XCTAssertEqual(headers, ["X-Static": "s3cr3t"], "templates stay out of the fixed headers; ${ENV} is expanded as before")
        XCTAssertEqual(tickets.tokenExchange, TokenExchangeSettings(
            tokenEndpoint: "https://login.example.com/oauth2/token", clientId: "mcp-gateway", clientSecret: "s3cr3t",
            audience: "https://tickets.internal", scope: "tickets.write"))
        XCTAssertEqual(tickets.pool.mode, .perSession, "an upstream session is never shared between two principals")
        XCTAssertTrue(tickets.hasUserCredentials)
        XCTAssertFalse(String(describing: tickets.tokenExchange).contains("s3cr3t"), "the secret is not printed")
        XCTAssertFalse(String(reflecting: tickets.tokenExchange).contains("s3cr3t"))
    }

    func testEscapedTemplateIsLiteralAndEnvironmentIsNotConsulted() throws {
        let text = server("""
        url: https://tickets.internal/mcp
        headers: { X-Literal: "$${principal.subject}", X-User: "${principal.subject}" }
        """)
        // An environment variable called `principal` must not matter.
        let config = try XCTUnwrap(loadConfig(text, env: env.merging(["principal": "env-value"]) { $1 }))
        let tickets = try XCTUnwrap(config.servers.first)
        guard case .remote(_, _, let headers) = tickets.transport else { return XCTFail("expected a remote server") }
        XCTAssertEqual(headers["X-Literal"], "${principal.subject}")
        XCTAssertEqual(tickets.principalHeaders, ["X-User": HeaderTemplate([.subject])])
    }

    func testHeaderTemplatesWithoutTokenExchangeNeedOnlyAuthentication() throws {
        let apiKeys = """
        mcpServers:
          tickets: { url: "http://127.0.0.1:9/mcp", headers: { X-User: "${principal.subject}" } }
        proxy:
          auth: { resource: https://gw/mcp, apiKeys: [{ name: ci, key: "0123456789abcdef0123" }] }
        """
        let config = try XCTUnwrap(loadConfig(apiKeys))
        XCTAssertNil(config.servers[0].tokenExchange)
        XCTAssertEqual(config.servers[0].pool.mode, .perSession)
    }

    func testRejectedWithoutAuthentication() {
        let templates = configProblems("mcpServers: { t: { url: \"https://t/mcp\", headers: { X-User: \"${principal.subject}\" } } }")
        XCTAssertTrue(templates.at("mcpServers.t.headers").contains { $0.message.contains("no authentication is configured") },
                      "\(templates)")
        let exchange = configProblems("""
        mcpServers:
          t:
            url: https://t/mcp
            auth: { tokenExchange: { tokenEndpoint: "https://as/token", clientId: c, clientSecret: "${S}" } }
        proxy:
          auth: { resource: https://gw/mcp, apiKeys: [{ name: ci, key: "0123456789abcdef0123" }] }
        """, env: ["S": "x"])
        XCTAssertTrue(exchange.at("mcpServers.t.auth.tokenExchange").contains { $0.message.contains("proxy.auth.jwt is not configured") },
                      "\(exchange)")
    }

    func testRejectedOnStdioServers() {
        let env = configProblems(server("""
        command: python3
        env: { USER_NAME: "${principal.subject}" }
        """), env: self.env)
        XCTAssertTrue(env.at("mcpServers.tickets.env.USER_NAME").contains { $0.message.contains("only allowed in the headers of a remote server") },
                      "\(env)")
        let exchange = configProblems(server("""
        command: python3
        auth: { tokenExchange: { tokenEndpoint: "https://as/token", clientId: c, clientSecret: "${TE_SECRET}" } }
        """), env: self.env)
        XCTAssertTrue(exchange.at("mcpServers.tickets.auth").contains { $0.message.contains("only used by remote servers") }, "\(exchange)")
    }

    func testTokenEndpointMustBeHTTPSUnlessLoopback() throws {
        func endpoint(_ url: String) -> String {
            server("""
            url: https://tickets.internal/mcp
            auth: { tokenExchange: { tokenEndpoint: "\(url)", clientId: c, clientSecret: "${TE_SECRET}" } }
            """)
        }
        let plain = configProblems(endpoint("http://login.example.com/token"), env: env)
        XCTAssertTrue(plain.at("mcpServers.tickets.auth.tokenExchange.tokenEndpoint").contains { $0.message.contains("must be https://") }, "\(plain)")
        for loopback in ["http://127.0.0.1:8080/token", "http://localhost/token", "http://[::1]:9/token", "https://login.example.com/token"] {
            XCTAssertNotNil(loadConfig(endpoint(loopback), env: env), loopback)
        }
        let relative = configProblems(endpoint("/token"), env: env)
        XCTAssertTrue(relative.at("mcpServers.tickets.auth.tokenExchange.tokenEndpoint").contains { $0.message.contains("absolute URL") })
    }

    func testTokenExchangeKeysAreChecked() {
        let missing = configProblems(server("""
        url: https://tickets.internal/mcp
        auth: { tokenExchange: { tokenEndpoint: "https://as/token", client_id: c } }
        """), env: env)
        XCTAssertTrue(missing.contains { $0.keyPath == "mcpServers.tickets.auth.tokenExchange.client_id" && $0.message.contains("clientId") }, "\(missing)")
        XCTAssertTrue(missing.contains { $0.message.contains("missing: clientId") })
        XCTAssertTrue(missing.contains { $0.message.contains("missing: clientSecret") })
        let unknownAuth = configProblems(server("""
        url: https://tickets.internal/mcp
        auth: { oauth: {} }
        """), env: env)
        XCTAssertTrue(unknownAuth.contains { $0.keyPath.hasPrefix("mcpServers.tickets.auth") }, "\(unknownAuth)")
    }

    func testBadTemplatesAreNamed() {
        let bad = configProblems(server("""
        url: https://tickets.internal/mcp
        headers: { X-User: "${principal.email}", X-Open: "${principal.subject" }
        """), env: env)
        XCTAssertTrue(bad.at("mcpServers.tickets.headers.X-User").contains { $0.message.contains("not a principal field") }, "\(bad)")
        XCTAssertTrue(bad.at("mcpServers.tickets.headers.X-Open").contains { $0.message.contains("never closed") }, "\(bad)")
    }

    func testCombinationsThatCannotWork() {
        let sse = configProblems(server("""
        url: https://tickets.internal/sse
        headers: { X-User: "${principal.subject}" }
        """), env: env)
        XCTAssertTrue(sse.contains { $0.message.contains("needs a Streamable HTTP server") }, "\(sse)")
        let shared = configProblems(server("""
        url: https://tickets.internal/mcp
        headers: { X-User: "${principal.subject}" }
        pool: { mode: shared }
        """), env: env)
        XCTAssertTrue(shared.at("mcpServers.tickets.pool.mode").contains { $0.message.contains("cannot be shared") }, "\(shared)")
        let authorization = configProblems(server("""
        url: https://tickets.internal/mcp
        headers: { Authorization: "Bearer x" }
        auth: { tokenExchange: { tokenEndpoint: "https://as/token", clientId: c, clientSecret: "${TE_SECRET}" } }
        """), env: env)
        XCTAssertTrue(authorization.contains { $0.message.contains("sets Authorization itself") }, "\(authorization)")
        let replicas = configProblems(server("""
        url: https://tickets.internal/mcp
        headers: { X-User: "${principal.subject}" }
        replicas: [{ url: "https://tickets2.internal/mcp" }]
        """), env: env)
        XCTAssertTrue(replicas.contains { $0.message.contains("replicas") }, "\(replicas)")
    }

    func testTheRunnableExampleLoads() throws {
        let path = URL(fileURLWithPath: examplesDirectory()).deletingLastPathComponent().appendingPathComponent("token-exchange/gateway.yaml").path
        let config = try ConfigLoader.load(path: path, environment: env)
        let tickets = try XCTUnwrap(config.servers.first)
        XCTAssertEqual(tickets.principalHeaders.keys.sorted(), ["X-Roles", "X-User"])
        XCTAssertEqual(tickets.tokenExchange?.clientSecret, "s3cr3t")
        XCTAssertEqual(tickets.pool.mode, .perSession)
    }

    func testLoopbackHosts() {
        XCTAssertTrue(UserCredentialsParser.isLoopback("127.0.0.1"))
        XCTAssertTrue(UserCredentialsParser.isLoopback("127.1.2.3"))
        XCTAssertTrue(UserCredentialsParser.isLoopback("[::1]"))
        XCTAssertTrue(UserCredentialsParser.isLoopback("LOCALHOST"))
        XCTAssertFalse(UserCredentialsParser.isLoopback("127.0.0.1.evil.com"))
        XCTAssertFalse(UserCredentialsParser.isLoopback("10.0.0.1"))
        XCTAssertFalse(UserCredentialsParser.isLoopback("localhost.example.com"))
    }
}
