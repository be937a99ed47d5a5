import MCPRedis
import NIOCore
import Synchronization

/// Revocations shared by the replicas through Redis: a sorted set (`<prefix>revoked`, member the
/// id's digest, score its expiry) that a replica loads when it starts and whenever its
/// connection comes back, and a channel on which every revocation is announced at once, so a
/// `DELETE` on one replica ends the session on all of them within milliseconds.
///
/// `isRevoked` answers from memory. A revocation made while Redis is down is kept and sent once
/// it is back; meanwhile only the replica that took the `DELETE` refuses the id.
public final class RedisRevocationList: RevocationList {
    private let local: LocalRevocationList
    private let redis: any RedisCommandExecutor
    private let subscriber: any RedisSubscriber
    private let health: @Sendable () -> AsyncStream<RedisHealth>
    private let setKey: String
    private let channel: String
    private let now: @Sendable () -> UInt64
    private let onRevoked: @Sendable (String) -> Void
    private let onLoaded: @Sendable (_ isRevoked: (String) -> Bool) -> Void
    private let state = Mutex(State())

    private struct State {
        var pending: [(id: String, until: UInt64)] = []
        var tasks: [Task<Void, Never>] = []
    }

    /// Creates the list; call ``start()`` to follow the other replicas.
    ///
    /// - Parameters:
    ///   - health: the command pool's health updates (``RedisConnectionPool/healthUpdates()``).
    ///   - onRevoked: called with every session id another replica revoked (and this one), so
    ///     the front ends its own copy of that session.
    ///   - onLoaded: called after every load of the shared set (at start and after each
    ///     reconnection) with a test for revoked ids, so the front ends its copies of sessions
    ///     whose announcement this replica missed.
    public init(
        redis: any RedisCommandExecutor, subscriber: any RedisSubscriber, health: @escaping @Sendable () -> AsyncStream<RedisHealth>,
        prefix: String = "mcp-proxy:", now: @escaping @Sendable () -> UInt64 = SystemClockSeconds.now,
        onRevoked: @escaping @Sendable (String) -> Void = { _ in },
        onLoaded: @escaping @Sendable (_ isRevoked: (String) -> Bool) -> Void = { _ in }
    ) {
        self.local = LocalRevocationList(now: now)
        self.redis = redis
        self.subscriber = subscriber
        self.health = health
        self.setKey = prefix + "revoked"
        self.channel = prefix + "revoked"
        self.now = now
        self.onRevoked = onRevoked
        self.onLoaded = onLoaded
    }

    /// Subscribes to announcements, and loads the set now and after every reconnection.
    public func start() async {
        let subscription = try? await subscriber.subscribe(channels: [channel])
        let listen = Task {
            guard let subscription else { return }
            for await message in subscription {
                let id = String(buffer: message.payload)
                self.local.revoke(id, until: self.now() + 86_400)
                self.onRevoked(id)
            }
        }
        let reload = Task {
            for await health in self.health() where health.isUp {
                await self.synchronize()
                // Revocations announced while this replica was not listening: its own copies end too.
                self.onLoaded(self.isRevoked)
            }
        }
        state.withLock { $0.tasks = [listen, reload] }
    }

    /// Stops following the other replicas.
    public func close() {
        let tasks = state.withLock { state -> [Task<Void, Never>] in
            defer { state.tasks = [] }
            return state.tasks
        }
        for task in tasks { task.cancel() }
    }

    /// See ``RevocationList/isRevoked(_:)``.
    public func isRevoked(_ id: String) -> Bool {
        local.isRevoked(id)
    }

    /// Revokes here at once, and on every replica as soon as Redis takes it.
    public func revoke(_ id: String, until: UInt64) {
        local.revoke(id, until: until)
        state.withLock { $0.pending.append((id, until)) }
        Task { await self.synchronize() }
    }

    /// Sends revocations made here that Redis has not taken yet, then loads everyone's.
    func synchronize() async {
        let pending = state.withLock { state -> [(id: String, until: UInt64)] in
            defer { state.pending = [] }
            return state.pending
        }
        var failed: [(id: String, until: UInt64)] = []
        for entry in pending {
            do {
                _ = try await redis.send("ZADD", .string(setKey), .integer(Int64(entry.until)), .string(RevocationKey.of(entry.id)))
                _ = try await redis.publish(channel: channel, message: .string(entry.id))
            } catch {
                failed.append(entry)
            }
        }
        if !failed.isEmpty { state.withLock { $0.pending = failed + $0.pending } }
        let current = now()
        _ = try? await redis.send("ZREMRANGEBYSCORE", .string(setKey), "-inf", .integer(Int64(current)))
        guard let reply = try? await redis.send("ZRANGE", .string(setKey), .integer(Int64(current)), "+inf", "BYSCORE", "WITHSCORES"),
              let elements = reply.elements else { return }
        var index = 0
        while index < elements.count {
            if case .array(let pair?) = elements[index], pair.count == 2, let key = pair[0].string, let score = pair[1].score {
                local.insert(key: key, until: UInt64(score))  // RESP3: [member, score] pairs
                index += 1
            } else if index + 1 < elements.count, let key = elements[index].string, let score = elements[index + 1].score {
                local.insert(key: key, until: UInt64(score))  // RESP2: a flat list
                index += 2
            } else {
                index += 1
            }
        }
    }

    /// How many revocations this replica knows.
    public var count: Int { local.count }
}

extension RESPValue {
    /// A sorted-set score: a RESP3 double, or its text in RESP2.
    fileprivate var score: Double? {
        if case .double(let value) = self { return value }
        return string.flatMap(Double.init)
    }
}
