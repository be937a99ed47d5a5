import Logging
import NIOCore
import NIOPosix
import Synchronization

/// Pub/sub on a dedicated connection (RESP3: messages arrive as push messages), kept open in
/// the background and resubscribed to every channel and pattern when it comes back after a loss.
///
/// Several subscriptions may share a channel: the client subscribes once and hands each message
/// to all of them, and unsubscribes when the last one ends. Publish with
/// ``RedisCommandExecutor/publish(channel:message:)`` on a ``RedisConnectionPool``.
///
/// Call ``close()`` when done: the client's background task runs until then.
public final class RedisPubSubClient: RedisSubscriber, Sendable {
    /// The configuration the client was made with.
    public let configuration: RedisConfiguration
    /// How many unread messages each subscription buffers before newer ones are dropped.
    public let bufferSize: Int
    private let monitor = RedisHealthMonitor()
    private let state = Mutex(State())

    private typealias Continuation = AsyncStream<RedisPubSubMessage>.Continuation

    private struct State {
        var connection: RedisConnection?
        var channels: [String: [UInt64: Continuation]] = [:]
        var patterns: [String: [UInt64: Continuation]] = [:]
        var nextID: UInt64 = 0
        var task: Task<Void, Never>?
        var closed = false
    }

    /// Makes a client and starts connecting in the background.
    public init(
        configuration: RedisConfiguration,
        bufferSize: Int = 10_000,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "mcp-proxy.redis.pubsub")
    ) {
        self.configuration = configuration
        self.bufferSize = max(1, bufferSize)
        let monitor = self.monitor
        // The task holds the client until close() cancels it.
        let task = Task {
            let loop = RedisReconnectLoop(
                configuration: configuration, eventLoopGroup: eventLoopGroup, logger: logger,
                onPush: { [weak self] push in self?.deliver(push) })
            await loop.run(
                prepare: { connection throws(RedisError) in try await self.resubscribe(on: connection) },
                up: { _ in
                    guard self.state.withLock({ !$0.closed }) else { return false }
                    monitor.set(.up)
                    return true
                },
                down: { error in
                    self.state.withLock { $0.connection = nil }
                    monitor.set(.down("\(error)"))
                })
        }
        self.state.withLock { $0.task = task }
    }

    /// Whether the pub/sub connection is open.
    public var health: RedisHealth { self.monitor.health }

    /// The current health, then every change, until the client closes.
    public func healthUpdates() -> AsyncStream<RedisHealth> { self.monitor.updates() }

    /// Waits until the connection is open (and resubscribed) or `timeout` passes; returns whether it is.
    @discardableResult
    public func waitUntilUp(timeout: Duration) async -> Bool {
        await self.monitor.wait(timeout: timeout) { $0 == .up || $0 == .closed } == .up
    }

    /// Subscribes to channels; see ``RedisSubscriber/subscribe(channels:)``.
    public func subscribe(channels: [String]) async throws(RedisError) -> RedisSubscription {
        try await self.subscribe(names: channels, pattern: false)
    }

    /// Subscribes to patterns; see ``RedisSubscriber/subscribe(patterns:)``.
    public func subscribe(patterns: [String]) async throws(RedisError) -> RedisSubscription {
        try await self.subscribe(names: patterns, pattern: true)
    }

    /// Closes the connection and ends every subscription.
    public func close() async {
        let (task, connection, continuations) = self.state.withLock { state in
            state.closed = true
            let continuations = state.channels.values.flatMap(\.values) + state.patterns.values.flatMap(\.values)
            defer {
                state.channels = [:]
                state.patterns = [:]
                state.task = nil
                state.connection = nil
            }
            return (state.task, state.connection, continuations)
        }
        self.monitor.set(.closed)
        for continuation in continuations { continuation.finish() }
        task?.cancel()
        await connection?.close()
        await task?.value
    }

    // MARK: - Subscribing

    private func subscribe(names: [String], pattern: Bool) async throws(RedisError) -> RedisSubscription {
        let names = Array(Set(names)).sorted()
        if self.monitor.health == .starting {
            // Like the pool's first commands: wait for the first connection, so that a
            // subscription made at startup is confirmed when this returns.
            _ = await self.monitor.wait(timeout: self.configuration.connectTimeout) { $0 != .starting }
        }
        let (messages, continuation) = AsyncStream.makeStream(of: RedisPubSubMessage.self, bufferingPolicy: .bufferingOldest(self.bufferSize))
        let registered: (id: UInt64, sent: EventLoopFuture<RESPValue>?)? = self.state.withLock { state in
            guard !state.closed else { return nil }
            let id = state.nextID
            state.nextID += 1
            for name in names {
                if pattern {
                    state.patterns[name, default: [:]][id] = continuation
                } else {
                    state.channels[name, default: [:]][id] = continuation
                }
            }
            // Sent under the lock so SUBSCRIBE and UNSUBSCRIBE reach the server in registry order.
            let sent = names.isEmpty ? nil : state.connection?.sendFuture(
                RedisCommand(pattern ? "PSUBSCRIBE" : "SUBSCRIBE", names.map { .string($0) }), pushConfirmations: names.count)
            return (id, sent)
        }
        guard let registered else { throw .clientClosed }
        let id = registered.id
        let cancel: @Sendable () -> Void = { [weak self] in self?.remove(id: id, names: names, pattern: pattern) }
        continuation.onTermination = { _ in cancel() }
        if let sent = registered.sent {
            do throws(RedisError) {
                let reply = try await RedisConnection.value(of: sent)
                if let message = reply.errorMessage {
                    cancel()
                    throw RedisError.serverError(message)
                }
            } catch {
                switch error {
                case .serverError: throw error
                // The connection went away: the subscription stays registered and is made again
                // when the connection comes back.
                default: break
                }
            }
        }
        return RedisSubscription(names: names, isPattern: pattern, messages: messages, cancel: cancel)
    }

    private func remove(id: UInt64, names: [String], pattern: Bool) {
        let continuation: Continuation? = self.state.withLock { state in
            var removed: Continuation?
            var unused: [String] = []
            for name in names {
                if pattern {
                    removed = state.patterns[name]?.removeValue(forKey: id) ?? removed
                    if state.patterns[name]?.isEmpty == true {
                        state.patterns[name] = nil
                        unused.append(name)
                    }
                } else {
                    removed = state.channels[name]?.removeValue(forKey: id) ?? removed
                    if state.channels[name]?.isEmpty == true {
                        state.channels[name] = nil
                        unused.append(name)
                    }
                }
            }
            if !unused.isEmpty, let connection = state.connection {
                _ = connection.sendFuture(
                    RedisCommand(pattern ? "PUNSUBSCRIBE" : "UNSUBSCRIBE", unused.map { .string($0) }), pushConfirmations: unused.count)
            }
            return removed
        }
        continuation?.finish()
    }

    /// Runs on each new connection before it is used: subscribes to everything registered.
    private func resubscribe(on connection: RedisConnection) async throws(RedisError) {
        let (channels, patterns) = self.state.withLock { state in
            state.connection = connection
            return (Array(state.channels.keys), Array(state.patterns.keys))
        }
        for (names, command) in [(channels, "SUBSCRIBE"), (patterns, "PSUBSCRIBE")] where !names.isEmpty {
            let reply = try await RedisConnection.value(
                of: connection.sendFuture(RedisCommand(command, names.map { .string($0) }), pushConfirmations: names.count))
            if let message = reply.errorMessage { throw .serverError(message) }
        }
    }

    // MARK: - Delivering

    /// Hands a push message to the subscriptions of its channel or pattern (on the event loop).
    private func deliver(_ push: RESPValue) {
        guard case .push(let elements) = push, let kind = elements.first?.string else { return }
        let message: RedisPubSubMessage
        let targets: [Continuation]
        switch kind.lowercased() {
        case "message" where elements.count == 3:
            guard let channel = elements[1].string, let payload = elements[2].bytes else { return }
            message = RedisPubSubMessage(channel: channel, payload: payload)
            targets = self.state.withLock { $0.channels[channel].map { Array($0.values) } ?? [] }
        case "pmessage" where elements.count == 4:
            guard let pattern = elements[1].string, let channel = elements[2].string, let payload = elements[3].bytes else { return }
            message = RedisPubSubMessage(channel: channel, pattern: pattern, payload: payload)
            targets = self.state.withLock { $0.patterns[pattern].map { Array($0.values) } ?? [] }
        default:
            return
        }
        for target in targets { target.yield(message) }
    }
}
