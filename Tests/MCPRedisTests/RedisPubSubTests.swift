import RedisTestSupport
import NIOCore
import Testing
@testable import MCPRedis

/// Pub/sub against a real redis-server.
@Suite struct RedisPubSubTests {
    @Test func channelsAndPatternsDeliver() async throws {
        try await withRedisServer { server in
            let pool = RedisConnectionPool(configuration: try server.configuration())
            let subscriber = RedisPubSubClient(configuration: try server.configuration())
            let both = try await subscriber.subscribe(channels: ["a", "b"])
            let pattern = try await subscriber.subscribe(patterns: ["news.*"])
            let alsoA = try await subscriber.subscribe(channels: ["a"])
            // Subscriptions are confirmed when subscribe returns: a publish right after reaches them.
            #expect(try await pool.publish(channel: "a", message: "1") == 1)
            #expect(try await pool.publish(channel: "b", message: "2") == 1)
            #expect(try await pool.publish(channel: "news.world", message: "3") == 1)
            #expect(try await pool.publish(channel: "other", message: "x") == 0)

            let bothMessages = MessageCollector(both)
            let patternMessages = MessageCollector(pattern)
            let alsoAMessages = MessageCollector(alsoA)
            await bothMessages.wait(for: 2)
            #expect(bothMessages.received == [
                RedisPubSubMessage(channel: "a", payload: ByteBuffer(string: "1")),
                RedisPubSubMessage(channel: "b", payload: ByteBuffer(string: "2")),
            ])
            await patternMessages.wait(for: 1)
            #expect(patternMessages.received == [RedisPubSubMessage(channel: "news.world", pattern: "news.*", payload: ByteBuffer(string: "3"))])
            #expect(await alsoAMessages.wait(for: 1) == ["1"])

            // Ending one subscription of a shared channel keeps the channel for the other.
            alsoA.unsubscribe()
            #expect(await alsoAMessages.waitForEnd())
            #expect(try await pool.publish(channel: "a", message: "4") == 1)
            #expect(await bothMessages.wait(for: 3) == ["1", "2", "4"])
            // Ending the last one unsubscribes on the server.
            both.unsubscribe()
            pattern.unsubscribe()
            var numsub: Int64 = -1
            for _ in 0..<50 {
                numsub = try await pool.send("PUBSUB", "NUMPAT").int ?? -1
                let channels = try await pool.send("PUBSUB", "CHANNELS").elements?.count ?? -1
                if numsub == 0, channels == 0 { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(numsub == 0)
            #expect(try await pool.send("PUBSUB", "CHANNELS") == .array([]))
            await subscriber.close()
            await pool.close()
        }
    }

    @Test func manyMessagesArriveInOrder() async throws {
        try await withRedisServer { server in
            let pool = RedisConnectionPool(configuration: try server.configuration())
            let subscriber = RedisPubSubClient(configuration: try server.configuration())
            let subscription = try await subscriber.subscribe(channels: ["stream"])
            let replies = try await pool.pipeline((0..<2000).map { RedisCommand("PUBLISH", "stream", .integer(Int64($0))) })
            #expect(replies.allSatisfy { $0 == .integer(1) })
            let messages = MessageCollector(subscription)
            #expect(await messages.wait(for: 2000) == (0..<2000).map { String($0) })
            await subscriber.close()
            await pool.close()
        }
    }

    @Test func subscribingAtStartupIsConfirmedOnReturn() async throws {
        try await withRedisServer { server in
            // Subscribe right after making the client, before its first connection is open.
            let subscriber = RedisPubSubClient(configuration: try server.configuration())
            let subscription = try await subscriber.subscribe(channels: ["early"])
            let pool = RedisConnectionPool(configuration: try server.configuration())
            #expect(try await pool.publish(channel: "early", message: "hello") == 1)
            #expect(await MessageCollector(subscription).wait(for: 1) == ["hello"])
            await subscriber.close()
            await pool.close()
        }
    }

    @Test func closingEndsSubscriptions() async throws {
        try await withRedisServer { server in
            let subscriber = RedisPubSubClient(configuration: try server.configuration())
            let subscription = try await subscriber.subscribe(channels: ["x"])
            let messages = MessageCollector(subscription)
            await subscriber.close()
            #expect(await messages.waitForEnd())
            #expect(subscriber.health == .closed)
            await #expect(throws: RedisError.clientClosed) { _ = try await subscriber.subscribe(channels: ["y"]) }
        }
    }
}
