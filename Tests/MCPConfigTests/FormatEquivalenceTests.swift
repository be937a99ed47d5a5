import XCTest
@testable import MCPConfig

final class FormatEquivalenceTests: XCTestCase {
    func testJSONAndYAMLGiveTheSameConfig() throws {
        let yaml = """
            mcpServers:
              zeta:
                command: python3
                args: ["-m", "zeta", "yes", "no"]
                env: { MODE: "on" }
                tools: { allow: ["get_*"], deny: [get_secret] }
              alpha:
                url: https://example.com/mcp
                headers: { X-Key: "${KEY:-none}" }
                namespace: false
            proxy:
              name: front
              namespacing: { separator: ".", collision: suffix, maxNameLength: 100, rewriteResourceURIs: true }
              routes: [ { method: "tools/call", name: "zeta.*", action: allow }, { action: route, to: alpha } ]
              limits: { maxMessageBytes: 1000, maxNestingDepth: 10, maxLineBytes: 2000, requestTimeoutSeconds: 1.5 }
              upstreams: { startup: lazy, initializeTimeoutSeconds: 3, shutdownGraceSeconds: 0, restart: true }
              pagination: { pageSize: 50 }
              logging: { level: trace }
              stats: { dumpOnExit: true }
            """
        let json = """
            {
            \t"mcpServers": {
            \t\t"zeta": {
            \t\t\t"command": "python3",
            \t\t\t"args": ["-m","zeta","yes","no"],
            \t\t\t"env": {"MODE":"on"},
            \t\t\t"tools": {"allow": ["get_*"], "deny": ["get_secret"]}
            \t\t},
            \t\t"alpha": {
            \t\t\t"url": "https://example.com/mcp",
            \t\t\t"headers": {"X-Key": "${KEY:-none}"},
            \t\t\t"namespace": false
            \t\t}
            \t},
            \t"proxy": {
            \t\t"name": "front",
            \t\t"namespacing": {"separator": ".", "collision": "suffix", "maxNameLength": 100, "rewriteResourceURIs": true},
            \t\t"routes": [{"method": "tools/call", "name": "zeta.*", "action": "allow"}, {"action": "route", "to": "alpha"}],
            \t\t"limits": {"maxMessageBytes": 1000, "maxNestingDepth": 10, "maxLineBytes": 2000, "requestTimeoutSeconds": 1.5},
            \t\t"upstreams": {"startup": "lazy", "initializeTimeoutSeconds": 3, "shutdownGraceSeconds": 0, "restart": true},
            \t\t"pagination": {"pageSize": 50},
            \t\t"logging": {"level": "trace"},
            \t\t"stats": {"dumpOnExit": true}
            \t}
            }
            """
        let fromYAML = try XCTUnwrap(loadConfig(yaml))
        let fromJSON = try XCTUnwrap(loadConfig(json))
        XCTAssertEqual(fromYAML, fromJSON)
        XCTAssertEqual(fromJSON.servers.map(\.name), ["zeta", "alpha"], "file order, not sorted")
        XCTAssertEqual(fromJSON.servers[0].transport, .stdio(command: "python3", arguments: ["-m", "zeta", "yes", "no"],
                                                             environment: ["MODE": "on"], inheritEnvironment: true, workingDirectory: nil),
                       "quoted \"yes\"/\"no\"/\"on\" stay strings")
        XCTAssertEqual(fromJSON.proxy, ProxySettings(
            name: "front", separator: ".", collision: "suffix", maxNameLength: 100, rewriteResourceURIs: true,
            routes: [RouteConfig(method: "tools/call", name: "zeta.*", action: "allow"), RouteConfig(action: "route", to: "alpha")],
            maxMessageBytes: 1000, maxNestingDepth: 10, maxLineBytes: 2000, requestTimeoutSeconds: 1.5,
            startup: .lazy, initializeTimeoutSeconds: 3, shutdownGraceSeconds: 0, restartUpstreams: true,
            pageSize: 50, logLevel: "trace", dumpStatsOnExit: true))
    }

    func testQuotedJSONStringsAreNotBooleans() {
        let problems = configProblems("{\"mcpServers\": {\"a\": {\"command\": \"x\", \"disabled\": \"yes\"}}}")
        XCTAssertEqual(problems.map(\.keyPath), ["mcpServers.a.disabled"])
        XCTAssertEqual(problems.first?.message, "expected true or false, found the string \"yes\"")
    }

    func testDesktopConfigWithOtherKeysLoadsWithWarnings() throws {
        let json = """
            {
              "globalShortcut": "Ctrl+Space",
              "mcpServers": {
                "filesystem": {
                  "command": "npx",
                  "args": ["-y", "@modelcontextprotocol/server-filesystem", "/Users/me/Desktop"],
                  "env": {}
                }
              },
              "preferences": {"theme": "dark"}
            }
            """
        let config = try XCTUnwrap(loadConfig(json))
        XCTAssertEqual(config.servers.map(\.name), ["filesystem"])
        XCTAssertEqual(config.warnings, [
            "test.yaml:2: globalShortcut: ignored: not a proxy setting (the proxy reads mcpServers and proxy)",
            "test.yaml:10: preferences: ignored: not a proxy setting (the proxy reads mcpServers and proxy)",
        ])
    }

    func testVSCodeServersKeyIsAccepted() throws {
        let config = try XCTUnwrap(loadConfig("{\"servers\": {\"a\": {\"type\": \"stdio\", \"command\": \"x\"}}, \"inputs\": []}"))
        XCTAssertEqual(config.servers.map(\.name), ["a"])
        XCTAssertEqual(configProblems("{\"servers\": {\"a\": {\"command\": []}}}").map(\.keyPath), ["servers.a.command"])
        XCTAssertEqual(configProblems("{\"servers\": {\"a\": {\"command\": \"x\"}}, \"mcpServers\": {\"b\": {\"command\": \"y\"}}}").map(\.keyPath),
                       ["servers"])
    }

    func testOrderIsPreservedForManyServers() throws {
        let names = (0..<40).map { "s\(($0 * 7919) % 1000)" }
        let text = "mcpServers:\n" + names.map { "  \($0): { command: x }\n" }.joined()
        let config = try XCTUnwrap(loadConfig(text))
        XCTAssertEqual(config.servers.map(\.name), names)
    }

    func testDisabledServersAreSkippedWithAWarningAndNotChecked() throws {
        let text = """
            mcpServers:
              a: { command: x }
              b: { disabled: true, command: [broken], nonsense: 1 }
              c: { command: y }
            """
        let config = try XCTUnwrap(loadConfig(text))
        XCTAssertEqual(config.servers.map(\.name), ["a", "c"])
        XCTAssertEqual(config.warnings, ["test.yaml:3: mcpServers.b: disabled: true, so the server is skipped"])
    }

    func testDefaultsWhenProxySectionIsMissing() throws {
        let config = try XCTUnwrap(loadConfig("mcpServers: { a: { command: x } }"))
        XCTAssertEqual(config.proxy, ProxySettings.defaults)
        XCTAssertEqual(config.servers.first, ServerConfig(
            name: "a", transport: .stdio(command: "x", arguments: [], environment: [:], inheritEnvironment: true, workingDirectory: nil),
            namespace: "a", separator: "__", startup: .eager, tools: .all, prompts: .all, resources: .all))
        XCTAssertNil(config.sourcePath)
    }
}
