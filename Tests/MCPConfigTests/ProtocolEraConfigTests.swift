import XCTest
@testable import MCPConfig

/// `protocolEra` of a server entry: auto (probe, the default), handshake, or 2026-07-28.
final class ProtocolEraConfigTests: XCTestCase {
    func testDefaultsToAutoAndTakesEachValue() throws {
        let config = try XCTUnwrap(loadConfig("""
        mcpServers:
          a: { command: x }
          b: { command: x, protocolEra: handshake }
          c: { command: x, protocolEra: "2026-07-28" }
          d: { command: x, protocolEra: auto }
        """))
        XCTAssertEqual(config.servers.map(\.protocolEra), [.auto, .handshake, .modern, .auto])
    }

    func testAnUnknownEraIsNamedWithTheChoices() {
        let problems = configProblems("mcpServers: { a: { command: x, protocolEra: modern } }")
        let found = problems.at("mcpServers.a.protocolEra")
        XCTAssertFalse(found.isEmpty, "\(problems)")
        XCTAssertTrue(found.contains { $0.message.contains("2026-07-28") && $0.message.contains("handshake") }, "\(found)")
    }
}
