import XCTest
@testable import MCPConfig

final class EnvironmentExpansionTests: XCTestCase {
    private let expander = EnvironmentExpander(environment: ["HOME": "/home/me", "EMPTY": "", "PORT": "8080", "TOKEN": "abc"])

    private func expanded(_ text: String) -> String? {
        if case .expanded(let value) = expander.expand(text) { return value }
        return nil
    }

    private func failures(_ text: String) -> [EnvironmentExpander.Failure] {
        if case .failed(let failures) = expander.expand(text) { return failures }
        return []
    }

    func testReferencesAndDefaults() {
        XCTAssertEqual(expanded("${HOME}/bin"), "/home/me/bin")
        XCTAssertEqual(expanded("${MISSING:-fallback}"), "fallback")
        XCTAssertEqual(expanded("${EMPTY:-fallback}"), "fallback", ":- also replaces an empty value")
        XCTAssertEqual(expanded("${PORT:-1}"), "8080")
        XCTAssertEqual(expanded("${MISSING:-}"), "")
        XCTAssertEqual(expanded("${MISSING:-${HOME}/x}"), "/home/me/x", "defaults may contain references")
        XCTAssertEqual(expanded("${HOME:-${MISSING}}"), "/home/me", "an unused default's references are not required")
        XCTAssertEqual(expanded("a${PORT}b${TOKEN}c"), "a8080babcc")
        XCTAssertEqual(expanded("${EMPTY}"), "", "a set but empty variable is fine")
    }

    func testDollarEscapesAndLiterals() {
        XCTAssertEqual(expanded("$$"), "$")
        XCTAssertEqual(expanded("$${HOME}"), "${HOME}")
        XCTAssertEqual(expanded("cost $5 or $HOME"), "cost $5 or $HOME", "a $ not followed by { or $ stays")
        XCTAssertEqual(expanded("trailing $"), "trailing $")
        XCTAssertEqual(expanded("$$$$"), "$$")
        XCTAssertEqual(expanded("no dollars"), "no dollars")
    }

    func testMissingVariablesAreAllReported() {
        XCTAssertEqual(failures("${A}-${B:-ok}-${C}"), [.missing("A"), .missing("C")])
        XCTAssertEqual(failures("${MISSING:-${ALSO_MISSING}}"), [.missing("ALSO_MISSING")])
    }

    func testSyntaxErrors() {
        for text in ["${HOME", "${}", "${1ABC}", "${input:token}", "${A:-unclosed", "${A:-${B}"] {
            let found = failures(text)
            XCTAssertEqual(found.count, 1, text)
            if case .syntax = found.first {} else { XCTFail("expected a syntax failure for \(text), got \(found)") }
        }
    }

    func testExpansionInConfigWithProblemsForEachMissingVariable() {
        let text = """
            mcpServers:
              s:
                command: ${BIN_DIR}/server
                args: ["--token", "${API_TOKEN}", "--port", "${PORT:-9000}", "$${LITERAL}"]
                env: { TZ: "${TZ:-UTC}", KEY: "${SECRET}" }
            """
        let problems = configProblems(text, env: ["PORT": "1234"])
        XCTAssertEqual(problems.map(\.keyPath), ["mcpServers.s.command", "mcpServers.s.args[1]", "mcpServers.s.env.KEY"])
        XCTAssertEqual(problems.map(\.line), [3, 4, 5])
        XCTAssertEqual(problems[0].message, "environment variable 'BIN_DIR' is not set; set it, or give a default with ${BIN_DIR:-value}")
        XCTAssertTrue(problems[2].message.contains("'SECRET'"))

        let config = loadConfig(text, env: ["BIN_DIR": "/opt", "API_TOKEN": "t", "SECRET": "s", "TZ": ""])
        XCTAssertEqual(config?.servers.first?.transport, .stdio(
            command: "/opt/server", arguments: ["--token", "t", "--port", "9000", "${LITERAL}"],
            environment: ["TZ": "UTC", "KEY": "s"], inheritEnvironment: true, workingDirectory: nil))
    }

    func testTypedFieldsAcceptExpandedReferences() throws {
        let text = """
            mcpServers: { a: { command: x, startup: "${MODE:-lazy}", inheritEnvironment: "${INHERIT:-false}" } }
            proxy:
              limits: { maxMessageBytes: "${MAX_BYTES:-1024}", requestTimeoutSeconds: "${TIMEOUT}" }
              logging: { level: "${LOG_LEVEL:-debug}" }
            """
        let config = try XCTUnwrap(loadConfig(text, env: ["TIMEOUT": "2.5"]))
        XCTAssertEqual(config.servers.first?.startup, .lazy)
        XCTAssertEqual(config.proxy.maxMessageBytes, 1024)
        XCTAssertEqual(config.proxy.requestTimeoutSeconds, 2.5)
        XCTAssertEqual(config.proxy.logLevel, "debug")
        if case let .stdio(_, _, _, inherit, _)? = config.servers.first?.transport { XCTAssertFalse(inherit) } else { XCTFail("expected stdio") }

        let problems = configProblems(text, env: ["TIMEOUT": "soon", "MAX_BYTES": "lots"])
        XCTAssertEqual(problems.map(\.keyPath), ["proxy.limits.maxMessageBytes", "proxy.limits.requestTimeoutSeconds"])
        XCTAssertEqual(problems[0].message, "expected a whole number, but '${MAX_BYTES:-1024}' expanded to \"lots\"")
    }

    func testKeysAreNotExpanded() throws {
        let config = try XCTUnwrap(loadConfig("mcpServers: { a: { command: x, env: { \"${NOT_A_REF}\": v } } }"))
        guard case let .stdio(_, _, environment, _, _)? = config.servers.first?.transport else { return XCTFail("expected stdio") }
        XCTAssertEqual(environment, ["${NOT_A_REF}": "v"])
    }

    func testChildEnvironment() {
        let parent = ["PATH": "/usr/bin", "HOME": "/home/me", "TZ": "UTC"]
        let inherit = TransportConfig.stdio(command: "x", arguments: [], environment: ["TZ": "Europe/Paris", "A": "1"],
                                            inheritEnvironment: true, workingDirectory: nil)
        XCTAssertEqual(inherit.childEnvironment(parent: parent), ["PATH": "/usr/bin", "HOME": "/home/me", "TZ": "Europe/Paris", "A": "1"])
        let isolated = TransportConfig.stdio(command: "x", arguments: [], environment: ["A": "1"], inheritEnvironment: false, workingDirectory: nil)
        XCTAssertEqual(isolated.childEnvironment(parent: parent), ["PATH": "/usr/bin", "A": "1"])
        let ownPath = TransportConfig.stdio(command: "x", arguments: [], environment: ["PATH": "/opt/bin"], inheritEnvironment: false, workingDirectory: nil)
        XCTAssertEqual(ownPath.childEnvironment(parent: parent), ["PATH": "/opt/bin"])
        XCTAssertNil(TransportConfig.remote(url: "https://h", kind: .sse, headers: [:]).childEnvironment(parent: parent))
    }
}
