import XCTest
@testable import MCPConfig

/// `proxy.cluster`.
final class ClusterConfigTests: XCTestCase {
    static let key = "oaGhoaGhoaGhoaGhoaGhoaGhoaGhoaGhoaGhoaGhoaE="  // 32 bytes

    func testAbsentClusterKeepsSessionsLocal() throws {
        let config = try XCTUnwrap(loadConfig("mcpServers: { a: { command: x } }"))
        XCTAssertNil(config.proxy.cluster)
    }

    func testFullSectionWithEnvironmentKeys() throws {
        let config = try XCTUnwrap(loadConfig("""
        mcpServers: { a: { command: x } }
        proxy:
          cluster:
            sessionKeys: ["${MCP_SESSION_KEY}", "\(Self.key)"]
            redis: { url: "redis://:pw@127.0.0.1:6379/0", failOpen: deny }
            replicaId: "${HOSTNAME}"
        """, env: ["MCP_SESSION_KEY": Self.key, "HOSTNAME": "gw-1"]))
        XCTAssertEqual(config.proxy.cluster, ClusterSettings(
            sessionKeys: [Self.key, Self.key], redisURL: "redis://:pw@127.0.0.1:6379/0", redisFailOpen: .deny, replicaID: "gw-1"))
        let minimal = try XCTUnwrap(loadConfig("mcpServers: { a: { command: x } }\nproxy: { cluster: { sessionKeys: [\"\(Self.key)\"] } }"))
        XCTAssertEqual(minimal.proxy.cluster?.redisFailOpen, .local)
        XCTAssertNil(minimal.proxy.cluster?.redisURL)
    }

    func testProblemsAreNamed() {
        let short = configProblems("mcpServers: { a: { command: x } }\nproxy: { cluster: { sessionKeys: [\"AAAA\"] } }")
        XCTAssertTrue(short.at("proxy.cluster.sessionKeys[0]").contains { $0.message.contains("32 bytes") }, "\(short)")
        let missing = configProblems("mcpServers: { a: { command: x } }\nproxy: { cluster: { redis: { url: \"redis://r\" } } }")
        XCTAssertTrue(missing.at("proxy.cluster").contains { $0.message.contains("sessionKeys is required") }, "\(missing)")
        let url = configProblems("mcpServers: { a: { command: x } }\nproxy: { cluster: { sessionKeys: [\"\(Self.key)\"], redis: { url: \"http://r\" } } }")
        XCTAssertTrue(url.at("proxy.cluster.redis.url").contains { $0.message.contains("redis://") }, "\(url)")
        let mode = configProblems("mcpServers: { a: { command: x } }\nproxy: { cluster: { sessionKeys: [\"\(Self.key)\"], redis: { url: \"redis://r\", failOpen: open } } }")
        XCTAssertFalse(mode.at("proxy.cluster.redis.failOpen").isEmpty, "\(mode)")
        let hint = configProblems("mcpServers: { a: { command: x } }\nproxy: { cluster: { sessionKeys: [\"\(Self.key)\"], replicaID: x } }")
        XCTAssertTrue(hint.contains { $0.message.contains("replicaId") }, "\(hint)")
    }
}
