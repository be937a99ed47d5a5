import XCTest
@testable import MCPConfig

final class ExampleConfigTests: XCTestCase {
    func testDemoExampleLoadsWithDefaultDirectory() throws {
        let config = try ConfigLoader.load(path: examplesDirectory() + "/demo.yaml", environment: [:])
        XCTAssertEqual(config.servers.map(\.name), ["alpha", "beta"])
        XCTAssertEqual(config.servers[0].transport, .stdio(command: ".build/debug/example-server", arguments: ["--name", "alpha"],
                                                           environment: [:], inheritEnvironment: true, workingDirectory: nil))
        XCTAssertEqual(config.servers[1].namespace, "beta")
        XCTAssertEqual(config.servers[1].separator, "__")
        XCTAssertEqual(config.proxy, .defaults)
        XCTAssertEqual(config.warnings, [])
        XCTAssertEqual(config.sourcePath, examplesDirectory() + "/demo.yaml")
    }

    func testDemoExampleHonoursEnvironmentOverride() throws {
        let config = try ConfigLoader.load(path: examplesDirectory() + "/demo.yaml", environment: ["EXAMPLE_SERVER_DIR": "/opt/bin"])
        guard case let .stdio(command, _, _, _, _) = config.servers[1].transport else { return XCTFail("expected stdio") }
        XCTAssertEqual(command, "/opt/bin/example-server")
    }

    func testClaudeDesktopExampleLoadsUnchanged() throws {
        let config = try ConfigLoader.load(path: examplesDirectory() + "/claude_desktop_config.json", environment: [:])
        XCTAssertEqual(config.servers, [
            ServerConfig(name: "time", transport: .stdio(command: "python3", arguments: ["-m", "mcp_server_time"], environment: [:],
                                                         inheritEnvironment: true, workingDirectory: nil), namespace: "time"),
            ServerConfig(name: "git", transport: .stdio(command: "python3", arguments: ["-m", "mcp_server_git", "--repository", "."],
                                                        environment: [:], inheritEnvironment: true, workingDirectory: nil), namespace: "git"),
        ])
        XCTAssertEqual(config.warnings, [])
    }

    func testFullExampleLoadsEveryOption() throws {
        let path = examplesDirectory() + "/full.yaml"
        let config = try ConfigLoader.load(path: path, environment: ["DOCS_TOKEN": "s3cret", "TZ": "Europe/Paris"])
        XCTAssertEqual(config.servers.map(\.name), ["time", "git", "docs"])

        let time = config.servers[0]
        XCTAssertEqual(time.transport, .stdio(command: "python3", arguments: ["-m", "mcp_server_time"], environment: ["TZ": "Europe/Paris"],
                                              inheritEnvironment: true, workingDirectory: nil))
        XCTAssertEqual(time.tools, FilterConfig(allow: ["get_*", "convert_time"]))
        XCTAssertEqual(time.startup, .eager)

        let git = config.servers[1]
        XCTAssertEqual(git.transport, .stdio(command: "python3", arguments: ["-m", "mcp_server_git", "--repository", "."],
                                             environment: ["GIT_AUTHOR_NAME": "mcp-proxy", "PRICE_TAG": "$5"],
                                             inheritEnvironment: false, workingDirectory: "."))
        XCTAssertEqual(git.namespace, "vcs")
        XCTAssertEqual(git.separator, ".")
        XCTAssertEqual(git.exposedName(for: "git_status"), "vcs.git_status")
        XCTAssertEqual(git.startup, .lazy)
        XCTAssertEqual(git.tools, FilterConfig(allow: nil, deny: ["git_reset", "git_commit"]))
        XCTAssertEqual(git.prompts, FilterConfig(allow: ["*"], deny: ["internal_*"]))
        XCTAssertEqual(git.resources, .all)

        let docs = config.servers[2]
        XCTAssertEqual(docs.transport, .remote(url: "https://docs.example.com/mcp", kind: .streamableHTTP,
                                               headers: ["Authorization": "Bearer s3cret"]))
        XCTAssertNil(docs.namespace)
        XCTAssertEqual(docs.exposedName(for: "search"), "search")
        XCTAssertEqual(docs.resources, FilterConfig(allow: ["docs://*"], deny: ["docs://private/*"]))

        let proxy = config.proxy
        XCTAssertEqual(proxy.name, "mcp-proxy")
        XCTAssertEqual(proxy.instructions, "Tools from several servers are available here; each name starts with its server's name.\n")
        XCTAssertEqual(proxy.routes, [
            RouteConfig(method: "tools/call", name: "vcs.git_push*", action: "deny"),
            RouteConfig(method: "resources/read", name: "docs://*", action: "route", to: "docs"),
            RouteConfig(method: "*", upstream: "git", action: "allow"),
        ])
        var expected = ProxySettings.defaults
        expected.instructions = proxy.instructions
        expected.routes = proxy.routes
        XCTAssertEqual(proxy, expected, "every other value in full.yaml is documented as the default")

        let source = try String(contentsOfFile: path, encoding: .utf8)
        let legacyLine = try XCTUnwrap(source.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0 == "  legacy:" }) + 1
        XCTAssertEqual(config.warnings, ["\(path):\(legacyLine): mcpServers.legacy: disabled: true, so the server is skipped"])
    }

    func testFullExampleNamesTheMissingToken() {
        XCTAssertThrowsError(try ConfigLoader.load(path: examplesDirectory() + "/full.yaml", environment: [:])) { error in
            guard let error = error as? ConfigError else { return XCTFail("unexpected \(error)") }
            XCTAssertEqual(error.problems.count, 1)
            XCTAssertEqual(error.problems.first?.keyPath, "mcpServers.docs.headers.Authorization")
            XCTAssertTrue(error.problems.first?.message.contains("'DOCS_TOKEN' is not set") ?? false)
        }
    }

    func testMissingFileSaysSo() {
        XCTAssertThrowsError(try ConfigLoader.load(path: "/nonexistent/mcp.yaml", environment: [:])) { error in
            guard let error = error as? ConfigError else { return XCTFail("unexpected \(error)") }
            XCTAssertEqual(error.description, "/nonexistent/mcp.yaml: no such file; check the path")
        }
    }

    func testBuiltInDemoConfig() throws {
        let config = try DemoConfig.load(binDirectory: "/usr/local/bin")
        XCTAssertEqual(config.servers.map(\.name), ["alpha", "beta"])
        XCTAssertEqual(config.servers[0].transport, .stdio(command: "/usr/local/bin/example-server", arguments: ["--name", "alpha"],
                                                           environment: [:], inheritEnvironment: true, workingDirectory: nil))
        XCTAssertEqual(config.servers[1].transport, .stdio(command: "/usr/local/bin/example-server", arguments: ["--name", "beta"],
                                                           environment: [:], inheritEnvironment: true, workingDirectory: nil))
        XCTAssertEqual(config.servers.map(\.namespace), ["alpha", "beta"])
        XCTAssertEqual(config.proxy, .defaults)
    }

    func testBuiltInDemoConfigSurvivesAwkwardDirectories() throws {
        let directory = "/tmp/it's a \"dir\" with $HOME ${X} \\ and: colons #hash/"
        let config = try DemoConfig.load(binDirectory: directory)
        guard case let .stdio(command, _, _, _, _) = config.servers[0].transport else { return XCTFail("expected stdio") }
        XCTAssertEqual(command, "/tmp/it's a \"dir\" with $HOME ${X} \\ and: colons #hash/example-server")
    }
}
