import Testing
@testable import MCPRedis

@Test func moduleLinks() {
    #expect(String(describing: MCPRedis.self) == "MCPRedis")
}
