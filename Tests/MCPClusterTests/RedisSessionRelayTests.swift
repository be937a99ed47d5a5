import MCPRedis
import MCPTransports
import NIOConcurrencyHelpers
import NIOCore
import RedisTestSupport
import Testing
@testable import MCPCluster

/// The relay against a real redis-server: each `Replica` is one relay with its own connections,
/// as two gateway processes would have.
struct RedisSessionRelayTests {
    final class Replica: Sendable {
        let relay: RedisSessionRelay
        let pool: RedisConnectionPool
        let subscriber: RedisPubSubClient

        init(_ server: RedisServerProcess, maxEvents: Int = 100) async throws {
            let pool = RedisConnectionPool(configuration: try server.configuration())
            let subscriber = RedisPubSubClient(configuration: try server.configuration(poolSize: 1))
            self.pool = pool
            self.subscriber = subscriber
            relay = RedisSessionRelay(
                redis: pool, subscriber: subscriber, isReachable: { pool.health.isUp && subscriber.health.isUp }, maxEvents: maxEvents)
            #expect(await pool.waitUntilUp(timeout: .seconds(5)))
            #expect(await subscriber.waitUntilUp(timeout: .seconds(5)))
        }

        func close() async {
            relay.close()
            await subscriber.close()
            await pool.close()
        }
    }

    /// What a GET stream received.
    final class Received: Sendable {
        private let box = NIOLockedValueBox<(events: [(String, String)], ended: Bool)>(([], false))
        var stream: RelayedStream {
            RelayedStream(
                write: { id, message in
                    self.box.withLockedValue { $0.events.append((id, String(buffer: message))) }
                    return true
                },
                end: { self.box.withLockedValue { $0.ended = true } })
        }
        var messages: [String] { box.withLockedValue { $0.events.map(\.1) } }
        var ids: [String] { box.withLockedValue { $0.events.map(\.0) } }
        var ended: Bool { box.withLockedValue { $0.ended } }

        func wait(for count: Int) async throws {
            let deadline = ContinuousClock.now + .seconds(10)
            while box.withLockedValue({ $0.events.count }) < count, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(5))
            }
        }

        func waitUntilEnded() async throws {
            let deadline = ContinuousClock.now + .seconds(10)
            while !ended, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        }
    }

    static func message(_ n: Int) -> ByteBuffer {
        ByteBuffer(string: #"{"jsonrpc":"2.0","method":"notifications/message","params":{"n":\#(n)}}"#)
    }

    @Test func aMessagePublishedOnOneReplicaReachesTheGetStreamOnAnother() async throws {
        try await withRedisServer { server in
            let a = try await Replica(server)
            let b = try await Replica(server)
            let received = Received()
            let feed = try #require(b.relay.attach(session: "s1", lastEventID: nil, to: received.stream))
            try await Task.sleep(for: .milliseconds(100))  // the subscription is confirmed
            for n in 1...3 { #expect(a.relay.publish(Self.message(n), session: "s1")) }
            #expect(a.relay.publish(Self.message(99), session: "other"), "another session's message")
            try await received.wait(for: 3)
            try await Task.sleep(for: .milliseconds(100))
            #expect(received.messages == (1...3).map { String(buffer: Self.message($0)) }, "in order, once, and only this session's")
            #expect(received.ids.allSatisfy { b.relay.issued(eventID: $0) })
            #expect(!b.relay.issued(eventID: "0-3"), "a front's own ids are not the relay's")
            feed.cancel()
            await a.close()
            await b.close()
        }
    }

    @Test func resumingAfterAnIdGivesEveryLaterEventExactlyOnce() async throws {
        try await withRedisServer { server in
            let a = try await Replica(server)
            let b = try await Replica(server)
            let first = Received()
            let feed = try #require(a.relay.attach(session: "s", lastEventID: nil, to: first.stream))
            try await Task.sleep(for: .milliseconds(100))
            for n in 1...2 { _ = a.relay.publish(Self.message(n), session: "s") }
            try await first.wait(for: 2)
            let lastSeen = try #require(first.ids.last)
            // The replica holding the stream dies; meanwhile more events arise, on either side.
            feed.cancel()
            await a.close()
            for n in 3...5 { _ = b.relay.publish(Self.message(n), session: "s") }
            try await Task.sleep(for: .milliseconds(100))
            let resumed = Received()
            let again = try #require(b.relay.attach(session: "s", lastEventID: lastSeen, to: resumed.stream))
            try await resumed.wait(for: 3)
            _ = b.relay.publish(Self.message(6), session: "s")
            try await resumed.wait(for: 4)
            try await Task.sleep(for: .milliseconds(100))
            #expect(resumed.messages == (3...6).map { String(buffer: Self.message($0)) }, "the backlog then live events, each once")
            again.cancel()
            await b.close()
        }
    }

    @Test func aNewStreamWithoutLastEventIDGetsWhatNoStreamDelivered() async throws {
        try await withRedisServer { server in
            let a = try await Replica(server)
            for n in 1...2 { _ = a.relay.publish(Self.message(n), session: "s") }  // no stream yet
            try await Task.sleep(for: .milliseconds(100))
            let first = Received()
            let feed = try #require(a.relay.attach(session: "s", lastEventID: nil, to: first.stream))
            try await first.wait(for: 2)
            #expect(first.messages.count == 2, "what waited for a stream")
            feed.cancel()
            try await Task.sleep(for: .milliseconds(100))  // the cursor is written
            _ = a.relay.publish(Self.message(3), session: "s")
            try await Task.sleep(for: .milliseconds(100))
            let second = Received()
            let next = try #require(a.relay.attach(session: "s", lastEventID: nil, to: second.stream))
            try await second.wait(for: 1)
            try await Task.sleep(for: .milliseconds(100))
            #expect(second.messages == [String(buffer: Self.message(3))], "not what the first stream delivered")
            next.cancel()
            await a.close()
        }
    }

    @Test func theNewestGetStreamOfASessionEndsOlderOnesOnOtherReplicas() async throws {
        try await withRedisServer { server in
            let a = try await Replica(server)
            let b = try await Replica(server)
            let old = Received()
            let oldFeed = try #require(a.relay.attach(session: "s", lastEventID: nil, to: old.stream))
            try await Task.sleep(for: .milliseconds(100))
            let new = Received()
            let newFeed = try #require(b.relay.attach(session: "s", lastEventID: nil, to: new.stream))
            try await old.waitUntilEnded()
            #expect(old.ended, "the older stream ended when the newer one opened")
            // An older stream's announcement that arrives late (rank 1) ends nothing.
            _ = try await a.pool.send("PUBLISH", .string("mcp-proxy:events:\(RevocationKey.of("s"))"), "T1")
            try await Task.sleep(for: .milliseconds(100))
            _ = a.relay.publish(Self.message(1), session: "s")
            try await new.wait(for: 1)
            #expect(new.messages.count == 1 && !new.ended, "messages \(new.messages), ended \(new.ended)")
            #expect(old.messages.isEmpty)
            oldFeed.cancel()
            newFeed.cancel()
            await a.close()
            await b.close()
        }
    }

    @Test func anAnswerIsForwardedToTheReplicaWhoseTagItsIdCarries() async throws {
        try await withRedisServer { server in
            let a = try await Replica(server)
            let b = try await Replica(server)
            let delivered = NIOLockedValueBox<[(String, String)]>([])
            await a.relay.start { session, message in delivered.withLockedValue { $0.append((session, String(buffer: message))) } }
            await b.relay.start { _, _ in Issue.record("B got an answer meant for A") }
            let id = a.relay.tag.requestIDBase + 7
            #expect(ReplicaTag.owner(ofRequestID: .number(id)) == a.relay.tag)
            #expect(ReplicaTag.owner(ofRequestID: .number(7)) == nil, "ids of a proxy without a relay name no replica")
            let answer = #"{"jsonrpc":"2.0","id":\#(id),"result":{"content":[]}}"#
            #expect(await b.relay.forward(ByteBuffer(string: answer), session: "s1", to: a.relay.tag))
            let deadline = ContinuousClock.now + .seconds(5)
            while delivered.withLockedValue({ $0.isEmpty }), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
            let got = delivered.withLockedValue { $0 }
            #expect(got.count == 1)
            #expect(got.first?.0 == "s1")
            #expect(got.first?.1 == answer, "the answer's bytes, unchanged")
            #expect(b.relay.decided.forwarded == 1)
            await a.close()
            await b.close()
        }
    }

    @Test func whileRedisIsUnreachableTheRelayDeclinesSoTheFrontKeepsMessages() async throws {
        try await withRedisServer { server in
            let a = try await Replica(server)
            server.kill()
            let deadline = ContinuousClock.now + .seconds(5)
            while a.pool.health.isUp, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
            #expect(!a.relay.publish(Self.message(1), session: "s"))
            #expect(a.relay.attach(session: "s", lastEventID: nil, to: Received().stream) == nil)
            #expect(!(await a.relay.forward(Self.message(1), session: "s", to: a.relay.tag)))
            await a.close()
        }
    }
}
