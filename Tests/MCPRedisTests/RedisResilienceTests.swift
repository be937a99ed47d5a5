import RedisTestSupport
import NIOCore
import NIOPosix
import Testing
@testable import MCPRedis

/// Restart, timeouts and a hostile server: every pending command ends with a typed error,
/// never a hang, and the clients come back by themselves.
@Suite struct RedisResilienceTests {
    @Test func restartMidRun() async throws {
        try await withRedisServer { server in
            let pool = RedisConnectionPool(configuration: try server.configuration(commandTimeout: .seconds(20)))
            let subscriber = RedisPubSubClient(configuration: try server.configuration())
            #expect(await pool.waitUntilUp(timeout: .seconds(5)))
            let subscription = try await subscriber.subscribe(channels: ["session.events"])
            let messages = MessageCollector(subscription)
            #expect(try await pool.publish(channel: "session.events", message: "before") == 1)
            #expect(await messages.wait(for: 1) == ["before"])

            // A command the server holds (BLPOP) is pending when the server dies.
            let pending = Task { () -> RedisError? in
                do throws(RedisError) {
                    _ = try await pool.send("BLPOP", "never", 15)
                    return nil
                } catch {
                    return error
                }
            }
            try await Task.sleep(for: .milliseconds(300))
            let killedAt = ContinuousClock.now
            server.kill()
            #expect(await pending.value == .connectionClosed)
            #expect(ContinuousClock.now - killedAt < .seconds(5), "BLPOP would hold it 15 s")

            // While it is down: health says so, and commands fail at once with a typed error.
            _ = await pool.healthUpdates().first { if case .down = $0 { true } else { false } }
            let start = ContinuousClock.now
            do throws(RedisError) {
                _ = try await pool.send("PING")
                Issue.record("PING succeeded while Redis is down")
            } catch {
                guard case .connectionFailed = error else {
                    Issue.record("\(error)")
                    return
                }
            }
            #expect(ContinuousClock.now - start < .seconds(1), "fails at once, not at the 2 s command timeout")
            try await Task.sleep(for: .seconds(3)) // long enough for the backoff to reach its cap

            try await server.launch()
            let restartedAt = ContinuousClock.now
            #expect(await pool.waitUntilUp(timeout: .seconds(10)))
            #expect(await subscriber.waitUntilUp(timeout: .seconds(10)))
            let back = ContinuousClock.now - restartedAt
            #expect(back < .seconds(10))
            print("MCPRedis: pool and subscriber back \(back) after redis-server restarted")
            #expect(try await pool.send("PING") == .simpleString("PONG"))
            // The subscriber resubscribed on its own: the same subscription gets new messages.
            #expect(try await pool.publish(channel: "session.events", message: "after") == 1)
            #expect(await messages.wait(for: 2) == ["before", "after"])

            subscription.unsubscribe()
            #expect(await messages.waitForEnd())
            await subscriber.close()
            await pool.close()
        }
    }

    @Test func commandTimeoutClosesAStaleConnection() async throws {
        try await withRedisServer { server in
            let pool = RedisConnectionPool(configuration: try server.configuration(poolSize: 1, commandTimeout: .milliseconds(300)))
            let start = ContinuousClock.now
            do throws(RedisError) {
                _ = try await pool.send("BLPOP", "never", 10)
                Issue.record("BLPOP returned")
            } catch {
                #expect(error == .timeout(command: "BLPOP", milliseconds: 300))
                #expect(error.description.contains("did not answer BLPOP within 300 ms"))
            }
            #expect(ContinuousClock.now - start < .seconds(2))
            // The connection was closed as stale and is reopened; commands work again.
            try await Task.sleep(for: .milliseconds(100))
            #expect(await pool.waitUntilUp(timeout: .seconds(5)))
            var pong: RESPValue?
            for _ in 0..<20 where pong == nil {
                pong = try? await pool.send("PING")
                if pong == nil { try await Task.sleep(for: .milliseconds(50)) }
            }
            #expect(pong == .simpleString("PONG"))
            await pool.close()
        }
    }

    @Test func hostileServerCannotExhaustMemory() async throws {
        // A fake server answers HELLO with an array claiming a billion elements, then garbage.
        let group = MultiThreadedEventLoopGroup.singleton
        let server = try await ServerBootstrap(group: group)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(HostileReplies())
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let port = server.localAddress?.port ?? 0
        var configuration = try RedisConfiguration(url: "redis://127.0.0.1:\(port)")
        configuration.limits = RESPLimits(maxAggregateCount: 1000)
        do throws(RedisError) {
            _ = try await RedisConnection.connect(configuration: configuration, eventLoop: group.next())
            Issue.record("connected to a hostile server")
        } catch {
            guard case .connectionFailed(let reason) = error else {
                Issue.record("\(error)")
                return
            }
            #expect(reason.contains("maxAggregateCount"), "\(reason)")
        }
        try await server.close()
    }
}

private final class HostileReplies: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.writeAndFlush(self.wrapOutboundOut(ByteBuffer(string: "*1000000000\r\n:1\r\n")), promise: nil)
    }
}
