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

            var bothMessages = both.makeAsyncIterator()
            #expect(await bothMessages.next() == RedisPubSubMessage(channel: "a", payload: ByteBuffer(string: "1")))
            #expect(await bothMessages.next() == RedisPubSubMessage(channel: "b", payload: ByteBuffer(string: "2")))
            var patternMessages = pattern.makeAsyncIterator()
            #expect(await patternMessages.next() == RedisPubSubMessage(channel: "news.world", pattern: "news.*", payload: ByteBuffer(string: "3")))
            var alsoAMessages = alsoA.makeAsyncIterator()
            #expect(await alsoAMessages.next().map { String(buffer: $0.payload) } == "1")

            // Ending one subscription of a shared channel keeps the channel for the other.
            alsoA.unsubscribe()
            #expect(await alsoAMessages.next() == nil)
            #expect(try await pool.publish(channel: "a", message: "4") == 1)
            #expect(await bothMessages.next().map { String(buffer: $0.payload) } == "4")
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
            var received: [Int64] = []
            for await message in subscription {
                received.append(Int64(String(buffer: message.payload)) ?? -1)
                if received.count == 2000 { break }
            }
            #expect(received == (0..<2000).map { Int64($0) })
            await subscriber.close()
            await pool.close()
        }
    }

    @Test func closingEndsSubscriptions() async throws {
        try await withRedisServer { server in
            let subscriber = RedisPubSubClient(configuration: try server.configuration())
            let subscription = try await subscriber.subscribe(channels: ["x"])
            await subscriber.close()
            var iterator = subscription.makeAsyncIterator()
            #expect(await iterator.next() == nil)
            #expect(subscriber.health == .closed)
            await #expect(throws: RedisError.clientClosed) { _ = try await subscriber.subscribe(channels: ["y"]) }
        }
    }
}
