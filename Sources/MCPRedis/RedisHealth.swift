import Synchronization

/// Whether a client can reach Redis.
public enum RedisHealth: Sendable, Hashable, CustomStringConvertible {
    /// The first connection attempt has not finished yet.
    case starting
    /// At least one connection is open and ready.
    case up
    /// No connection is open; the text says why (the last error). The client keeps reconnecting.
    case down(String)
    /// The client was closed.
    case closed

    /// `starting`, `up`, `down: <reason>` or `closed`.
    public var description: String {
        switch self {
        case .starting: return "starting"
        case .up: return "up"
        case .down(let reason): return "down: \(reason)"
        case .closed: return "closed"
        }
    }

    /// Whether this is ``up``.
    public var isUp: Bool { self == .up }
}

/// Holds a client's health and tells whoever watches it when it changes.
final class RedisHealthMonitor: Sendable {
    private struct State {
        var health: RedisHealth = .starting
        var watchers: [UInt64: AsyncStream<RedisHealth>.Continuation] = [:]
        var nextWatcher: UInt64 = 0
    }

    private let state = Mutex(State())

    /// The current health.
    var health: RedisHealth { self.state.withLock { $0.health } }

    /// Sets the health; watchers hear of changes only. Once closed, it stays closed.
    func set(_ health: RedisHealth) {
        let finished: [AsyncStream<RedisHealth>.Continuation] = self.state.withLock { state in
            guard state.health != health, state.health != .closed else { return [] }
            state.health = health
            for watcher in state.watchers.values { watcher.yield(health) }
            guard health == .closed else { return [] }
            defer { state.watchers = [:] }
            return Array(state.watchers.values)
        }
        // Finished outside the lock: finishing runs onTermination, which takes the lock.
        for watcher in finished { watcher.finish() }
    }

    /// The current health, then every change, until the client closes.
    func updates() -> AsyncStream<RedisHealth> {
        let (stream, continuation) = AsyncStream.makeStream(of: RedisHealth.self, bufferingPolicy: .bufferingNewest(8))
        self.state.withLock { state in
            continuation.yield(state.health)
            guard state.health != .closed else {
                continuation.finish()
                return
            }
            let id = state.nextWatcher
            state.nextWatcher += 1
            state.watchers[id] = continuation
            continuation.onTermination = { [weak self] _ in
                self?.state.withLock { _ = $0.watchers.removeValue(forKey: id) }
            }
        }
        return stream
    }

    /// Waits until the health satisfies `condition` or `timeout` passes; returns the health then.
    func wait(timeout: Duration, until condition: @escaping @Sendable (RedisHealth) -> Bool) async -> RedisHealth {
        let current = self.health
        if condition(current) { return current }
        let updates = self.updates()
        return await withTaskGroup(of: RedisHealth?.self) { group in
            group.addTask {
                for await health in updates where condition(health) { return health }
                return nil
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first ?? self.health
        }
    }
}
