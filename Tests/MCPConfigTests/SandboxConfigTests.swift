import XCTest
@testable import MCPConfig

/// `mcpServers.<name>.sandbox`: the keys, their defaults, and problems with line numbers.
final class SandboxConfigTests: XCTestCase {
    func testFullSandboxSection() throws {
        let config = loadConfig("""
            mcpServers:
              git:
                command: mcp-server-git
                sandbox:
                  envAllow: ["HOME", "LANG", "LC_*", "A?"]
                  workingDirectory: /srv/git
                  limits: { memoryMB: 512, cpuSeconds: 600, openFiles: 256, processes: 64 }
                  dieWithProxy: false
                  noNewPrivileges: false
                  user: nobody
                  group: 65534
            """)
        let server = try XCTUnwrap(config?.servers.first)
        XCTAssertEqual(server.sandbox, SandboxConfig(
            envAllow: ["HOME", "LANG", "LC_*", "A?"],
            limits: SandboxLimits(memoryMB: 512, cpuSeconds: 600, openFiles: 256, processes: 64),
            dieWithProxy: false, noNewPrivileges: false, user: "nobody", group: "65534"))
        XCTAssertEqual(server.transport, .stdio(command: "mcp-server-git", arguments: [], environment: [:],
                                                inheritEnvironment: true, workingDirectory: "/srv/git"))
    }

    func testEmptySectionHasTheDefaultsAndNoSectionIsNil() throws {
        let config = loadConfig("""
            mcpServers:
              a: { command: x, sandbox: {} }
              b: { command: x }
            """)
        XCTAssertEqual(config?.servers.first { $0.name == "a" }?.sandbox, SandboxConfig())
        XCTAssertEqual(SandboxConfig().dieWithProxy, true)
        XCTAssertEqual(SandboxConfig().noNewPrivileges, true)
        XCTAssertNil(config?.servers.first { $0.name == "b" }?.sandbox)
    }

    func testLimitsMayComeFromTheEnvironment() {
        let config = loadConfig("""
            mcpServers:
              a:
                command: x
                sandbox: { limits: { memoryMB: "${MEM}" } }
            """, env: ["MEM": "1024"])
        XCTAssertEqual(config?.servers.first?.sandbox?.limits.memoryMB, 1024)
    }

    func testProblemsCarryKeyPathsAndLines() {
        let problems = configProblems("""
            mcpServers:
              a:
                command: x
                sandbox:
                  envAllow: ["LC_*", "bad-name", 3]
                  limits: { memoryMB: 0, cpuSecond: 5, openFiles: 2 }
                  dieWithProxy: maybe
                  usre: nobody
              r:
                url: https://example.com/mcp
                sandbox: { envAllow: ["HOME"] }
              c:
                command: x
                cwd: /tmp
                sandbox: { workingDirectory: /srv }
            """)
        let summary = problems.map { "\($0.line.map(String.init) ?? "-") \($0.keyPath)" }
        XCTAssertEqual(Set(summary), [
            "5 mcpServers.a.sandbox.envAllow[1]",
            "6 mcpServers.a.sandbox.limits.memoryMB",
            "6 mcpServers.a.sandbox.limits.cpuSecond",
            "6 mcpServers.a.sandbox.limits.openFiles",
            "7 mcpServers.a.sandbox.dieWithProxy",
            "8 mcpServers.a.sandbox.usre",
            "11 mcpServers.r.sandbox",
            "15 mcpServers.c.sandbox.workingDirectory",
        ], "\(problems)")
        XCTAssertTrue(problems.at("mcpServers.a.sandbox.envAllow[1]").first?.message.contains("letters, digits and '_', with '*' and '?'") ?? false)
        XCTAssertEqual(problems.at("mcpServers.a.sandbox.limits.memoryMB").first?.message, "must be greater than 0, found 0")
        XCTAssertTrue(problems.at("mcpServers.a.sandbox.limits.cpuSecond").first?.message.contains("did you mean 'cpuSeconds'?") ?? false)
        XCTAssertEqual(problems.at("mcpServers.a.sandbox.limits.openFiles").first?.message, "must be at least 3 (stdin, stdout and stderr), found 2")
        XCTAssertTrue(problems.at("mcpServers.a.sandbox.usre").first?.message.contains("did you mean 'user'?") ?? false)
        XCTAssertEqual(problems.at("mcpServers.r.sandbox").first?.message, "only used by servers started with a command; remove it from this remote server")
        XCTAssertEqual(problems.at("mcpServers.c.sandbox.workingDirectory").first?.message, "cwd already sets the working directory; give it only once")
    }

    func testNumericEnvAllowItemIsReadAsItsText() {
        // A YAML number is read as its text, like every string setting; digits are name characters.
        let config = loadConfig("""
            mcpServers:
              a: { command: x, sandbox: { envAllow: [3] } }
            """)
        XCTAssertEqual(config?.servers.first?.sandbox?.envAllow, ["3"])
    }
}
