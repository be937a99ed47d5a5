import JSONRPC
import MCPRedis
import MCPTransports
import NIOCore
import Synchronization

/// Server-to-client traffic across replicas through Redis (``MCPTransports/SessionRelay``).
///
/// - **GET streams.** Every message for a session's GET stream is appended to a Redis stream
///   per session (`<prefix>events:<digest>`, trimmed to about `maxEvents` entries, expiring
///   after the session idle timeout) and announced on a channel of the same name, by one script.
///   The replica holding the client's GET stream subscribes to that channel and writes each
///   event with the id `r<entry id>`. A client that reconnects with `Last-Event-ID` to any
///   replica gets every later entry exactly once (read with `XRANGE`, then the live channel,
///   skipping what it already sent); a new GET stream without it starts after the last entry a
///   stream delivered (`<prefix>cursor:<digest>`). The newest GET stream of a session wins:
///   it announces itself and older ones, on any replica, end.
/// - **Answers.** Request ids this replica's proxy sends clients start at its tag's base; a
///   client's answer that reaches another replica is published on this replica's channel
///   (`<prefix>replica:<tag>`) and handed to the session here.
///
/// Writes go through one ordered queue, pipelined: a message never waits for Redis on the
/// caller's thread. While Redis is down, ``publish(_:session:)`` says so and the front keeps
/// the message locally; GET streams fed from Redis end when the connection is lost, and clients
/// resume with `Last-Event-ID`.
public final class RedisSessionRelay: SessionRelay {
    /// This replica's tag.
    public let tag: ReplicaTag
    private let redis: any RedisCommandExecutor
    private let subscriber: any RedisSubscriber
    private let isReachable: @Sendable () -> Bool
    private let prefix: String
    private let maxEvents: Int
    private let ttlMilliseconds: Int64
    private let onProblem: @Sendable (String) -> Void
    private let queue = Mutex(Queue())
    private let feeds = Mutex(Feeds())

    private struct Queue {
        var commands: [RedisCommand] = []
        var draining = false
        var lost = 0
    }

    private struct Feeds {
        var open: [ObjectIdentifier: RedisRelayFeed] = [:]
        var tasks: [Task<Void, Never>] = []
    }

    /// Counts, for metrics and tests.
    public struct Counts: Sendable, Equatable {
        /// Messages appended to a shared log.
        public var published = 0
        /// Commands lost because Redis failed while they were queued.
        public var lost = 0
        /// Answers forwarded to another replica.
        public var forwarded = 0
        /// Answers other replicas forwarded to this one.
        public var received = 0
    }
    private let counts = Mutex(Counts())

    /// Creates a relay.
    ///
    /// - Parameters:
    ///   - isReachable: whether Redis is up now (the command pool's and subscriber's health).
    ///   - maxEvents: about how many events a session's log keeps (`replayBufferEvents`).
    ///   - ttl: how long a session's log outlives its last event (the session idle timeout).
    ///   - onProblem: told (rarely) when queued writes were lost.
    public init(
        redis: any RedisCommandExecutor, subscriber: any RedisSubscriber, isReachable: @escaping @Sendable () -> Bool,
        tag: ReplicaTag = .random(), prefix: String = "mcp-proxy:", maxEvents: Int = 1_000, ttl: Duration = .seconds(1_800),
        onProblem: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        self.redis = redis
        self.subscriber = subscriber
        self.isReachable = isReachable
        self.tag = tag
        self.prefix = prefix
        self.maxEvents = max(1, maxEvents)
        self.ttlMilliseconds = max(1_000, ttl.components.seconds * 1_000)
        self.onProblem = onProblem
    }

    /// How many messages went which way so far.
    public var decided: Counts {
        var current = counts.withLock { $0 }
        current.lost = queue.withLock { $0.lost }
        return current
    }

    // MARK: SessionRelay

    /// Subscribes to this replica's channel of forwarded answers.
    public func start(deliver: @escaping @Sendable (String, ByteBuffer) -> Void) async {
        let subscription = try? await subscriber.subscribe(channels: [inbox(tag)])
        let task = Task { [self] in
            guard let subscription else { return }
            for await message in subscription {
                var payload = message.payload
                guard let space = payload.readableBytesView.firstIndex(of: UInt8(ascii: " ")),
                      let session = payload.readString(length: space - payload.readerIndex) else { continue }
                payload.moveReaderIndex(forwardBy: 1)
                self.counts.withLock { $0.received += 1 }
                deliver(session, payload)
            }
        }
        feeds.withLock { $0.tasks.append(task) }
    }

    /// See ``MCPTransports/SessionRelay/publish(_:session:)``.
    public func publish(_ message: ByteBuffer, session: String) -> Bool {
        guard isReachable() else { return false }
        let names = Names(prefix: prefix, session: session)
        enqueue(RedisEventLogScript.script.eval(
            keys: [.string(names.log)],
            arguments: [.integer(Int64(maxEvents)), .bytes(message), .integer(ttlMilliseconds), .string(names.channel)]))
        counts.withLock { $0.published += 1 }
        return true
    }

    /// See ``MCPTransports/SessionRelay/attach(session:lastEventID:to:)``.
    public func attach(session: String, lastEventID: String?, to stream: RelayedStream) -> (any SessionRelayAttachment)? {
        guard isReachable() else { return nil }
        let after = lastEventID.flatMap { $0.hasPrefix("r") ? RedisStreamID($0.dropFirst()) : nil }
        let feed = RedisRelayFeed()
        let key = ObjectIdentifier(feed)
        feeds.withLock { $0.open[key] = feed }
        feed.setEnd(stream.end)
        feed.run { [self] in
            await self.feed(Names(prefix: prefix, session: session), after: after, to: stream, feed: feed)
            _ = self.feeds.withLock { $0.open.removeValue(forKey: key) }
        }
        return feed
    }

    /// See ``MCPTransports/SessionRelay/issued(eventID:)``.
    public func issued(eventID: String) -> Bool {
        eventID.hasPrefix("r") && RedisStreamID(eventID.dropFirst()) != nil
    }

    /// See ``MCPTransports/SessionRelay/forward(_:session:to:)``.
    public func forward(_ response: ByteBuffer, session: String, to owner: ReplicaTag) async -> Bool {
        var payload = ByteBuffer()
        payload.reserveCapacity(session.utf8.count + 1 + response.readableBytes)
        payload.writeString(session)
        payload.writeInteger(UInt8(ascii: " "))
        payload.writeImmutableBuffer(response)
        do {
            let receivers = try await redis.publish(channel: inbox(owner), message: .bytes(payload))
            if receivers == 0 { onProblem("no replica listens for answers to replica \(owner) (it stopped?); an answer was dropped") }
            counts.withLock { $0.forwarded += 1 }
            return true
        } catch {
            return false
        }
    }

    /// See ``MCPTransports/SessionRelay/ended(session:)``.
    public func ended(session: String) {
        let names = Names(prefix: prefix, session: session)
        enqueue(RedisCommand("DEL", [.string(names.log), .string(names.cursor), .string(names.rank)]))
    }

    /// Ends every GET stream fed from Redis (the connection was lost: their clients resume with
    /// `Last-Event-ID`) and stops listening.
    public func close() {
        let (open, tasks) = feeds.withLock { feeds in
            defer { feeds = Feeds() }
            return (Array(feeds.open.values), feeds.tasks)
        }
        for feed in open { feed.endStream() }
        for task in tasks { task.cancel() }
    }

    /// Ends every GET stream fed from Redis, keeping the relay: after a lost connection, live
    /// messages may have been missed, and a client that resumes gets them from the log.
    public func endFeeds() {
        let open = feeds.withLock { Array($0.open.values) }
        for feed in open { feed.endStream() }
    }

    // MARK: Feeding a GET stream

    private func feed(_ names: Names, after: RedisStreamID?, to stream: RelayedStream, feed: RedisRelayFeed) async {
        guard let subscription = try? await subscriber.subscribe(channels: [names.channel]) else {
            feed.endStream()
            return
        }
        defer { subscription.unsubscribe() }
        // The stream's rank among the session's GET streams (INCR orders them, whichever replica
        // opens them); older ones, on any replica, end when they hear a higher rank, and a late
        // announcement of an older stream ends nothing.
        let rank: Int64
        do {
            let replies = try await redis.pipeline([
                RedisCommand("INCR", [.string(names.rank)]), RedisCommand("PEXPIRE", [.string(names.rank), .integer(ttlMilliseconds)]),
            ])
            guard let value = replies.first?.int else { throw RedisError.protocolError("INCR answered \(replies.first?.typeName ?? "nothing")") }
            rank = value
        } catch {
            feed.endStream()
            return
        }
        enqueue(RedisCommand("PUBLISH", [.string(names.channel), .string("T\(rank)")]))
        var last = after
        if last == nil, let cursor = try? await redis.get(names.cursor), let id = RedisStreamID(Substring(String(buffer: cursor))) {
            last = id
        }
        let backlog: [RedisStreamEntry]
        do {
            backlog = try await redis.xrange(names.log, from: last.map { "(\($0)" } ?? "-")
        } catch {
            feed.endStream()
            return
        }
        for entry in backlog {
            guard let id = RedisStreamID(Substring(entry.id)), let message = entry[field: "m"] else { continue }
            guard !Task.isCancelled, stream.write("r\(id)", message) else { return }
            last = id
        }
        if let last, !backlog.isEmpty { remember(last, in: names) }
        for await message in subscription {
            guard !Task.isCancelled else { return }
            var payload = message.payload
            switch payload.readInteger(as: UInt8.self) {
            case UInt8(ascii: "T"):
                if let other = payload.readString(length: payload.readableBytes).flatMap(Int64.init), other > rank {
                    feed.endStream()
                    return
                }
            case UInt8(ascii: "E"):
                guard let space = payload.readableBytesView.firstIndex(of: UInt8(ascii: " ")),
                      let text = payload.readString(length: space - payload.readerIndex), let id = RedisStreamID(Substring(text)) else { continue }
                payload.moveReaderIndex(forwardBy: 1)
                if let last, id <= last { continue }
                guard stream.write("r\(id)", payload) else { return }
                last = id
                remember(id, in: names)
            default:
                continue
            }
        }
        // The subscription ended: the relay is closing.
        feed.endStream()
    }

    /// Records the last event a GET stream of the session delivered.
    private func remember(_ id: RedisStreamID, in names: Names) {
        enqueue(RedisCommand("SET", [.string(names.cursor), .string(id.description), "PX", .integer(ttlMilliseconds)]))
    }

    // MARK: The write queue

    private func enqueue(_ command: RedisCommand) {
        let start = queue.withLock { queue -> Bool in
            queue.commands.append(command)
            defer { queue.draining = true }
            return !queue.draining
        }
        if start { Task { await self.drain() } }
    }

    private func drain() async {
        while true {
            let batch = queue.withLock { queue -> [RedisCommand]? in
                guard !queue.commands.isEmpty else {
                    queue.draining = false
                    return nil
                }
                defer { queue.commands = [] }
                return queue.commands
            }
            guard let batch else { return }
            do {
                _ = try await redis.pipeline(batch)
            } catch {
                let first = queue.withLock { queue -> Bool in
                    defer { queue.lost += batch.count }
                    return queue.lost == 0
                }
                if first { onProblem("lost \(batch.count) writes to the shared event log: \(error)") }
            }
        }
    }

    private func inbox(_ tag: ReplicaTag) -> String { "\(prefix)replica:\(tag.value)" }

    /// The Redis names of one session's relay state.
    private struct Names {
        let log: String
        let channel: String
        let cursor: String
        let rank: String

        init(prefix: String, session: String) {
            let digest = RevocationKey.of(session)
            log = "\(prefix)events:\(digest)"
            channel = log
            cursor = "\(prefix)cursor:\(digest)"
            rank = "\(prefix)streams:\(digest)"
        }
    }
}
