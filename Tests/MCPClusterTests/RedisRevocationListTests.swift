import MCPRedis
import NIOConcurrencyHelpers
import RedisTestSupport
import Testing
@testable import MCPCluster

/// Revocations reach every replica through Redis, and a replica that starts later loads them.
struct RedisRevocationListTests {
    static func list(_ server: RedisServerProcess, onRevoked: @escaping @Sendable (String) -> Void = { _ in }) async throws -> (RedisRevocationList, RedisConnectionPool, RedisPubSubClient) {
        let pool = RedisConnectionPool(configuration: try server.configuration())
        let subscriber = RedisPubSubClient(configuration: try server.configuration(poolSize: 1))
        let list = RedisRevocationList(redis: pool, subscriber: subscriber, health: { pool.healthUpdates() }, onRevoked: onRevoked)
        await list.start()
        #expect(await pool.waitUntilUp(timeout: .seconds(5)))
        #expect(await subscriber.waitUntilUp(timeout: .seconds(5)))
        return (list, pool, subscriber)
    }

    @Test func aRevocationOnOneReplicaReachesTheOthersWithinASecond() async throws {
        try await withRedisServer { server in
            let heard = NIOLockedValueBox<[String]>([])
            let (a, poolA, subA) = try await Self.list(server)
            let (b, poolB, subB) = try await Self.list(server) { id in heard.withLockedValue { $0.append(id) } }
            a.revoke("session-1", until: SystemClockSeconds.now() + 600)
            #expect(a.isRevoked("session-1"))
            let deadline = ContinuousClock.now + .seconds(1)
            // B may load the set (after its connection came up) before the announcement arrives:
            // wait for both, within the second.
            while !(b.isRevoked("session-1") && !heard.withLockedValue({ $0.isEmpty })), ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(b.isRevoked("session-1"), "replica B learned of the revocation within 1 s")
            #expect(heard.withLockedValue { $0 } == ["session-1"], "B was told, so it can end its own copy of the session")
            #expect(!b.isRevoked("session-2"))
            // A replica that starts afterwards loads what was revoked before it.
            let (c, poolC, subC) = try await Self.list(server)
            let later = ContinuousClock.now + .seconds(2)
            while !c.isRevoked("session-1"), ContinuousClock.now < later { try await Task.sleep(for: .milliseconds(10)) }
            #expect(c.isRevoked("session-1"))
            for list in [a, b, c] { list.close() }
            for pool in [poolA, poolB, poolC] { await pool.close() }
            for sub in [subA, subB, subC] { await sub.close() }
        }
    }

    @Test func aReplicaThatMissedTheAnnouncementIsToldWhenItLoadsTheSet() async throws {
        try await withRedisServer { server in
            let (a, poolA, subA) = try await Self.list(server)
            a.revoke("session-9", until: SystemClockSeconds.now() + 600)
            try await Task.sleep(for: .milliseconds(200))  // in the set before B listens
            let ended = NIOLockedValueBox<[String]>([])
            let pool = RedisConnectionPool(configuration: try server.configuration())
            let subscriber = RedisPubSubClient(configuration: try server.configuration(poolSize: 1))
            let b = RedisRevocationList(
                redis: pool, subscriber: subscriber, health: { pool.healthUpdates() },
                onLoaded: { isRevoked in
                    // The front's live sessions, as FrontSessionTerminator.endRevoked walks them.
                    for id in ["session-8", "session-9"] where isRevoked(id) { ended.withLockedValue { $0.append(id) } }
                })
            await b.start()
            let deadline = ContinuousClock.now + .seconds(2)
            while ended.withLockedValue({ $0.isEmpty }), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
            #expect(ended.withLockedValue { $0 } == ["session-9"], "B ends its copy of the revoked session, and only that one")
            for list in [a, b] { list.close() }
            for pool in [poolA, pool] { await pool.close() }
            for sub in [subA, subscriber] { await sub.close() }
        }
    }
}
