import XCTest
@testable import MCPConfig

/// `proxy.policyHook` and `proxy.guards`.
final class PolicyHookGuardsConfigTests: XCTestCase {
    private let server = "mcpServers: { a: { command: x } }\n"

    func testPolicyHookDefaultsAndFullForm() throws {
        XCTAssertNil(try XCTUnwrap(loadConfig(server)).proxy.policyHook)
        let minimal = try XCTUnwrap(loadConfig(server + "proxy: { policyHook: { url: \"http://127.0.0.1:8181/mcp-policy\" } }"))
        XCTAssertEqual(minimal.proxy.policyHook, PolicyHookSettings(url: "http://127.0.0.1:8181/mcp-policy"))
        XCTAssertEqual(minimal.proxy.policyHook?.methods, ["tools/call"])
        XCTAssertEqual(minimal.proxy.policyHook?.timeoutMs, 200)
        XCTAssertEqual(minimal.proxy.policyHook?.failOpen, false)
        XCTAssertEqual(minimal.proxy.policyHook?.response, false)
        let full = try XCTUnwrap(loadConfig(server + """
        proxy:
          policyHook:
            url: https://policy.example.com/mcp
            methods: ["tools/call", "prompts/*"]
            timeoutMs: 350
            failOpen: true
            response: "${RESP}"
        """, env: ["RESP": "true"]))
        XCTAssertEqual(full.proxy.policyHook, PolicyHookSettings(url: "https://policy.example.com/mcp", methods: ["tools/call", "prompts/*"],
                                                                 timeoutMs: 350, failOpen: true, response: true))
    }

    func testPolicyHookProblemsAreNamed() {
        func problems(_ hook: String) -> [ConfigProblem] { configProblems(server + "proxy: { policyHook: \(hook) }") }
        XCTAssertTrue(problems("{ timeoutMs: 100 }").at("proxy.policyHook").contains { $0.message.contains("url is required") })
        XCTAssertTrue(problems("{ url: \"http://policy.example.com/x\" }").at("proxy.policyHook.url").contains { $0.message.contains("https://") },
                      "plain http only to this machine: the hook sees arguments and principals")
        XCTAssertFalse(problems("{ url: \"http://127.0.0.1:1/x\", timeoutMs: 0 }").at("proxy.policyHook.timeoutMs").isEmpty)
        XCTAssertFalse(problems("{ url: \"http://127.0.0.1:1/x\", timeoutMs: fast }").at("proxy.policyHook.timeoutMs").isEmpty)
        XCTAssertFalse(problems("{ url: \"http://127.0.0.1:1/x\", methods: [] }").at("proxy.policyHook.methods").isEmpty)
        XCTAssertFalse(problems("{ url: \"http://127.0.0.1:1/x\", methods: [\"tools/[call\"] }").at("proxy.policyHook.methods[0]").isEmpty)
        XCTAssertFalse(problems("{ url: \"http://127.0.0.1:1/x\", failOpen: maybe }").at("proxy.policyHook.failOpen").isEmpty)
        XCTAssertTrue(problems("{ url: \"http://127.0.0.1:1/x\", timeout: 100 }").at("proxy.policyHook.timeout").contains { $0.message.contains("timeoutMs") })
        XCTAssertFalse(problems("{ url: \"http://127.0.0.1:1/x\", respones: true }").at("proxy.policyHook.respones").isEmpty)
        XCTAssertFalse(problems("[1]").at("proxy.policyHook").isEmpty)
    }

    func testGuards() throws {
        XCTAssertNil(try XCTUnwrap(loadConfig(server)).proxy.guards)
        let config = try XCTUnwrap(loadConfig(server + """
        proxy:
          guards:
            maxResultBytes: 1048576
            redactSecrets: true
            redactPatterns: ["sk-[A-Za-z0-9]{32,}", "(?i)password=\\\\S+"]
        """))
        XCTAssertEqual(config.proxy.guards, GuardSettings(maxResultBytes: 1_048_576, redactSecrets: true,
                                                          redactPatterns: ["sk-[A-Za-z0-9]{32,}", "(?i)password=\\S+"]))
        XCTAssertEqual(config.proxy.guards?.isActive, true)
        let empty = try XCTUnwrap(loadConfig(server + "proxy: { guards: {} }"))
        XCTAssertEqual(empty.proxy.guards?.isActive, false)
        XCTAssertTrue(empty.warnings.contains { $0.contains("no guard is on") }, "\(empty.warnings)")
    }

    func testGuardProblemsAreNamed() {
        func problems(_ guards: String) -> [ConfigProblem] { configProblems(server + "proxy: { guards: \(guards) }") }
        XCTAssertFalse(problems("{ maxResultBytes: 0 }").at("proxy.guards.maxResultBytes").isEmpty)
        XCTAssertFalse(problems("{ maxResultBytes: big }").at("proxy.guards.maxResultBytes").isEmpty)
        XCTAssertFalse(problems("{ redactSecrets: sure }").at("proxy.guards.redactSecrets").isEmpty)
        XCTAssertTrue(problems("{ redactPatterns: [\"ok+\", \"(unclosed\"] }").at("proxy.guards.redactPatterns[1]")
            .contains { $0.message.contains("not a valid regular expression") })
        XCTAssertTrue(problems("{ redactPatterns: [\"a*\"] }").at("proxy.guards.redactPatterns[0]")
            .contains { $0.message.contains("matches the empty string") })
        XCTAssertFalse(problems("{ redactPatterns: \"sk-.*\" }").at("proxy.guards.redactPatterns").isEmpty)
        XCTAssertTrue(problems("{ maxBytes: 10 }").at("proxy.guards.maxBytes").contains { $0.message.contains("maxResultBytes") })
    }
}
