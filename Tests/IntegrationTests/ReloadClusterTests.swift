import Foundation
import MCPConfig
import Testing
@testable import MCPGateway

/// `proxy.cluster` is set up with the listener: a reload may change `redis.failOpen` (read per
/// check) but not the keys, the Redis URL or the replica id.
struct ReloadClusterTests {
    static let key = Data((0..<32).map { UInt8($0) }).base64EncodedString()

    static func config(_ cluster: String) throws -> ProxyConfig {
        try ConfigLoader.load(text: """
        servers:
          alpha:
            command: /bin/true
        proxy:
        \(cluster)
        """, sourceName: "test", environment: [:])
    }

    static func cluster(key: String = key, url: String = "redis://127.0.0.1:6379/0", failOpen: String = "local") -> String {
        "  cluster:\n    sessionKeys: [\"\(key)\"]\n    redis:\n      url: \(url)\n      failOpen: \(failOpen)\n"
    }

    @Test func failOpenMayChangeOnReload() throws {
        let changes = ReloadCompatibility.restartOnlyChanges(
            from: try Self.config(Self.cluster()), to: try Self.config(Self.cluster(failOpen: "deny")))
        #expect(changes.isEmpty, "\(changes)")
    }

    @Test(arguments: [
        cluster(url: "redis://10.0.0.9:6379/0"),
        cluster(key: Data((100..<132).map { UInt8($0) }).base64EncodedString()),
        "  logging:\n    level: info\n",
    ])
    func keysRedisOrTheClusterItselfNeedARestart(_ other: String) throws {
        let changes = ReloadCompatibility.restartOnlyChanges(from: try Self.config(Self.cluster()), to: try Self.config(other))
        #expect(changes.contains { $0.hasPrefix("proxy.cluster") }, "\(changes)")
    }
}
