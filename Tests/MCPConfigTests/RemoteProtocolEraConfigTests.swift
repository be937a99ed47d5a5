import XCTest
@testable import MCPConfig

/// `protocolEra` of remote servers: Streamable HTTP takes every value; legacy HTTP+SSE and
/// WebSocket have no 2026-07-28, so pinning it there is a problem that says what to write.
final class RemoteProtocolEraConfigTests: XCTestCase {
    func testStreamableHTTPTakesEveryEra() throws {
        let config = try XCTUnwrap(loadConfig("""
        mcpServers:
          a: { url: "http://h/mcp" }
          b: { url: "http://h/mcp", protocolEra: "2026-07-28" }
          c: { url: "http://h/mcp", type: http, protocolEra: handshake }
          d: { url: "http://h/sse", protocolEra: auto }
          e: { url: "ws://h/mcp", protocolEra: handshake }
        """))
        XCTAssertEqual(config.servers.map(\.protocolEra), [.auto, .modern, .handshake, .auto, .handshake])
    }

    func testTwentyTwentySixOverSSEOrWebSocketIsAProblem() {
        let problems = configProblems("""
        mcpServers:
          legacy: { url: "http://h/sse", protocolEra: "2026-07-28" }
          socket: { url: "ws://h/mcp", protocolEra: "2026-07-28" }
        """)
        let legacy = problems.at("mcpServers.legacy.protocolEra")
        XCTAssertTrue(legacy.contains { $0.message.contains("legacy HTTP+SSE") && $0.message.contains("type: http") }, "\(problems)")
        let socket = problems.at("mcpServers.socket.protocolEra")
        XCTAssertTrue(socket.contains { $0.message.contains("WebSocket") }, "\(problems)")
    }
}
