import XCTest
@testable import MCPConfig

/// `proxy.endpoints`: every key of the issue's example, and each check.
final class EndpointsConfigTests: XCTestCase {
    private let servers = "mcpServers: { tickets: { command: x }, docs: { command: y }, other: { command: z, disabled: true } }\n"
    private let auth = "  auth: { resource: \"https://mcp.test/mcp\", apiKeys: [{ name: a, key: \"0123456789abcdef0123\", roles: [support] }] }\n"

    private func problems(_ proxy: String) -> [ConfigProblem] {
        configProblems(servers + "proxy:\n" + proxy)
    }

    func testTheIssueExampleLoads() throws {
        let config = try XCTUnwrap(loadConfig(servers + "proxy:\n" + auth + """
          endpoints:
            - path: /mcp/support
              servers: [tickets, docs]
              tools: { allow: ["tickets__*", "docs__search"] }
              prompts: { allow: ["*"] }
              resources: { deny: ["docs://private/*"] }
              rename: { tickets__create_ticket: open_ticket }
              describe: { open_ticket: "Open a support ticket for the person you are helping." }
              instructions: "Tools for the support desk."
              roles: [support]
              discovery: list
            - path: /mcp/search
              discovery: search
        """))
        XCTAssertEqual(config.proxy.endpoints.count, 2)
        let support = config.proxy.endpoints[0]
        XCTAssertEqual(support, EndpointSettings(
            path: "/mcp/support", servers: ["tickets", "docs"],
            tools: FilterConfig(allow: ["tickets__*", "docs__search"]), prompts: FilterConfig(allow: ["*"]),
            resources: FilterConfig(deny: ["docs://private/*"]),
            rename: ["tickets__create_ticket": "open_ticket"],
            describe: ["open_ticket": "Open a support ticket for the person you are helping."],
            instructions: "Tools for the support desk.", roles: ["support"], discovery: .list))
        let search = config.proxy.endpoints[1]
        XCTAssertEqual(search, EndpointSettings(path: "/mcp/search", discovery: .search))
        XCTAssertNil(search.servers, "servers default to all")
    }

    func testNoEndpointsByDefault() throws {
        XCTAssertEqual(try XCTUnwrap(loadConfig(servers)).proxy.endpoints, [])
    }

    func testPathRules() {
        XCTAssertFalse(problems("  endpoints: [{ servers: [docs] }]").at("proxy.endpoints[0].path").isEmpty, "path is required")
        XCTAssertTrue(problems("  endpoints: [{ path: mcp/x }]").at("proxy.endpoints[0].path").first?.message.contains("starts with '/'") == true)
        XCTAssertTrue(problems("  endpoints: [{ path: /mcp }]").at("proxy.endpoints[0].path").first?.message.contains("proxy.listen.path") == true)
        XCTAssertTrue(problems("  endpoints: [{ path: /sse }]").at("proxy.endpoints[0].path").first?.message.contains("proxy.listen.ssePath") == true)
        XCTAssertTrue(problems("  listen: { path: /api }\n  endpoints: [{ path: /api }]").at("proxy.endpoints[0].path").first?.message.contains("proxy.listen.path") == true)
        let duplicate = problems("  endpoints: [{ path: /mcp/a }, { path: /mcp/a }]").at("proxy.endpoints[1].path")
        XCTAssertTrue(duplicate.first?.message.contains("proxy.endpoints[0]") == true, "\(duplicate)")
        XCTAssertFalse(problems("  endpoints: [{ path: \"/mcp/a?x=1\" }]").at("proxy.endpoints[0].path").isEmpty)
        XCTAssertFalse(problems("  listen: { namedServers: true }\n  endpoints: [{ path: /servers/docs/mcp }]").at("proxy.endpoints[0].path").isEmpty)
        XCTAssertFalse(problems("  endpoints: { path: /mcp/a }").at("proxy.endpoints").isEmpty, "a list is required")
    }

    func testServersMustExist() {
        let unknown = problems("  endpoints: [{ path: /mcp/a, servers: [docs, tikets] }]").at("proxy.endpoints[0].servers[1]")
        XCTAssertTrue(unknown.first?.message.contains("no server named 'tikets'") == true, "\(unknown)")
        XCTAssertTrue(unknown.first?.message.contains("tickets") == true, "a near miss gets a hint")
        let disabled = problems("  endpoints: [{ path: /mcp/a, servers: [other] }]").at("proxy.endpoints[0].servers[0]")
        XCTAssertTrue(disabled.first?.message.contains("disabled") == true, "\(disabled)")
        XCTAssertFalse(problems("  endpoints: [{ path: /mcp/a, servers: [] }]").at("proxy.endpoints[0].servers").isEmpty)
    }

    func testGlobsRenamesAndDescriptions() {
        XCTAssertFalse(problems("  endpoints: [{ path: /mcp/a, tools: { allow: [\"tickets__[\"] } }]").at("proxy.endpoints[0].tools.allow[0]").isEmpty)
        XCTAssertFalse(problems("  endpoints: [{ path: /mcp/a, resources: { deny: [\"\"] } }]").at("proxy.endpoints[0].resources.deny[0]").isEmpty)
        XCTAssertFalse(problems("  endpoints: [{ path: /mcp/a, tools: { only: [x] } }]").at("proxy.endpoints[0].tools.only").isEmpty)
        XCTAssertTrue(problems("  endpoints: [{ path: /mcp/a, rename: { a__x: \"bad name\" } }]")
            .at("proxy.endpoints[0].rename.a__x").first?.message.contains("not a valid") == true)
        let clash = problems("  endpoints: [{ path: /mcp/a, rename: { a__x: same, b__y: same } }]").at("proxy.endpoints[0].rename.b__y")
        XCTAssertTrue(clash.first?.message.contains("both renamed") == true, "\(clash)")
        let describe = problems("  endpoints: [{ path: /mcp/a, rename: { a__x: nice }, describe: { a__x: text } }]").at("proxy.endpoints[0].describe.a__x")
        XCTAssertTrue(describe.first?.message.contains("write nice") == true, "\(describe)")
    }

    func testRolesDiscoveryAndUnknownKeys() {
        let roles = problems("  endpoints: [{ path: /mcp/a, roles: [support] }]").at("proxy.endpoints[0].roles")
        XCTAssertTrue(roles.first?.message.contains("proxy.auth") == true, "roles without authentication: \(roles)")
        XCTAssertTrue(problems("  endpoints: [{ path: /mcp/a, discovery: searh }]").at("proxy.endpoints[0].discovery").first?.message.contains("search") == true)
        XCTAssertTrue(problems("  endpoints: [{ path: /mcp/a, upstreams: [docs] }]").at("proxy.endpoints[0].upstreams").first?.message.contains("servers") == true)
        XCTAssertFalse(problems("  endpoints: [{ path: /mcp/a, instructions: [x] }]").at("proxy.endpoints[0].instructions").isEmpty)
    }
}
