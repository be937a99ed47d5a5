import Logging
import NIOCore
import NIOPosix
import Synchronization

/// A few pipelined connections to one Redis server, kept open in the background: the client
/// the proxy's replicas use for commands and scripts.
///
/// - Commands go round robin to the open connections; each connection pipelines any number of
///   concurrent commands, so a pool of 2 serves thousands of requests per second.
/// - A lost connection fails its pending commands with ``RedisError/connectionClosed`` (never
///   a hang) and is reopened with ``RedisBackoff`` (50 ms doubling to 2 s, with jitter), so the
///   pool is back within about 2 s of Redis returning.
/// - While no connection is open, commands fail at once with ``RedisError/connectionFailed(_:)``
///   (callers fall back, as the proxy's rate limits do); only while the pool is ``RedisHealth/starting``
///   do they wait, up to the connect timeout, for the first connection.
/// - ``health`` says whether Redis is reachable; ``healthUpdates()`` and ``waitUntilUp(timeout:)``
///   watch it.
///
/// Call ``close()`` when done: the pool's background tasks run until then.
public final class RedisConnectionPool: RedisCommandExecutor, Sendable {
    /// The configuration the pool was made with.
    public let configuration: RedisConfiguration
    private let monitor = RedisHealthMonitor()
    private let state: Mutex<State>
    private let cursor = Atomic<UInt>(0)

    private struct State {
        var connections: [RedisConnection?]
        var tasks: [Task<Void, Never>] = []
        var lastError: RedisError?
        var closed = false
    }

    /// Makes a pool and starts connecting its ``RedisConfiguration/poolSize`` connections in the background.
    public init(
        configuration: RedisConfiguration,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "mcp-proxy.redis")
    ) {
        self.configuration = configuration
        self.state = Mutex(State(connections: Array(repeating: nil, count: configuration.poolSize)))
        let loop = RedisReconnectLoop(configuration: configuration, eventLoopGroup: eventLoopGroup, logger: logger, onPush: nil)
        var tasks: [Task<Void, Never>] = []
        for slot in 0..<configuration.poolSize {
            // The task holds the pool until close() cancels it.
            tasks.append(Task {
                await loop.run(
                    up: { connection in self.install(connection, slot: slot) },
                    down: { error in self.lost(slot: slot, error: error) })
            })
        }
        self.state.withLock { $0.tasks = tasks }
    }

    /// Whether Redis is reachable now.
    public var health: RedisHealth { self.monitor.health }

    /// The current health, then every change, until the pool closes.
    public func healthUpdates() -> AsyncStream<RedisHealth> { self.monitor.updates() }

    /// Waits until a connection is open or `timeout` passes; returns whether one is open.
    @discardableResult
    public func waitUntilUp(timeout: Duration) async -> Bool {
        await self.monitor.wait(timeout: timeout) { $0 == .up || $0 == .closed } == .up
    }

    /// The number of open connections.
    public var openConnections: Int {
        self.state.withLock { $0.connections.reduce(0) { $0 + ($1?.isActive == true ? 1 : 0) } }
    }

    /// Sends one command on the next open connection; see ``RedisCommandExecutor/send(_:)``.
    public func send(_ command: RedisCommand) async throws(RedisError) -> RESPValue {
        try await self.connection().send(command)
    }

    /// Sends several commands in one write on one connection; see ``RedisCommandExecutor/pipeline(_:)``.
    public func pipeline(_ commands: [RedisCommand]) async throws(RedisError) -> [RESPValue] {
        try await self.connection().pipeline(commands)
    }

    /// Closes every connection and stops reconnecting. Pending commands fail with
    /// ``RedisError/connectionClosed``, later ones with ``RedisError/clientClosed``.
    public func close() async {
        let (tasks, connections) = self.state.withLock { state in
            state.closed = true
            defer {
                state.tasks = []
                state.connections = state.connections.map { _ in nil }
            }
            return (state.tasks, state.connections.compactMap { $0 })
        }
        self.monitor.set(.closed)
        for task in tasks { task.cancel() }
        for connection in connections { await connection.close() }
        for task in tasks { await task.value }
    }

    // MARK: - Connections

    private func connection() async throws(RedisError) -> RedisConnection {
        if let connection = self.pick() { return connection }
        if self.health == .starting {
            _ = await self.monitor.wait(timeout: self.configuration.connectTimeout) { $0 != .starting }
            if let connection = self.pick() { return connection }
        }
        let (closed, lastError) = self.state.withLock { ($0.closed, $0.lastError) }
        if closed { throw .clientClosed }
        throw .connectionFailed("\(self.configuration.url) is unreachable (\(lastError.map { "\($0)" } ?? "no connection yet")); the pool reconnects in the background")
    }

    private func pick() -> RedisConnection? {
        let start = self.cursor.add(1, ordering: .relaxed).newValue
        return self.state.withLock { state in
            let count = UInt(state.connections.count)
            for offset in 0..<count {
                if let connection = state.connections[Int((start &+ offset) % count)], connection.isActive {
                    return connection
                }
            }
            return nil
        }
    }

    private func install(_ connection: RedisConnection, slot: Int) -> Bool {
        let installed = self.state.withLock { state in
            guard !state.closed else { return false }
            state.connections[slot] = connection
            return true
        }
        if installed { self.monitor.set(.up) }
        return installed
    }

    private func lost(slot: Int, error: RedisError) {
        let health: RedisHealth? = self.state.withLock { state in
            guard !state.closed else { return nil }
            state.connections[slot] = nil
            state.lastError = error
            return state.connections.contains { $0 != nil } ? .up : .down("\(error)")
        }
        if let health { self.monitor.set(health) }
    }
}
