import MCPPool

/// What an operator does to a running upstream (the admin API): restart, drain, reset breakers.
extension UpstreamService {
    static let drainedMessage = "it was taken out of service through the admin API (drain); POST /api/upstreams/NAME/restart brings it back"

    /// Whether it was drained through the admin API and not restarted since.
    var isAdminDrained: Bool { state.withLock { $0.adminDrained } }

    /// Closes every breaker of its replicas.
    func resetBreakers() {
        for backend in backends { backend.breaker?.reset() }
    }

    /// Closes its open upstream sessions (children get SIGTERM, then SIGKILL after their grace);
    /// requests in flight on them fail as after a crash (safe ones are retried). The pools open
    /// fresh sessions as they need them (shared: `size` at once). Undoes a drain.
    func restart() async {
        state.withLock { $0.adminDrained = false }
        await closeOpenSessions()
        if isShared, state.withLock({ $0.started }) {
            for backend in backends { backend.pool.start() }
        }
    }

    /// Takes it out of service: new requests are refused at once ("unavailable"); requests in
    /// flight get up to `timeout` to finish; then its sessions close and no new one opens until
    /// ``restart()``. Returns how many requests were still in flight when the sessions closed.
    func drain(timeout: Duration) async -> Int {
        state.withLock { $0.adminDrained = true }
        let deadline = ContinuousClock.now + timeout
        while inFlightLeases > 0, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        let left = inFlightLeases
        await closeOpenSessions()
        return left
    }

    private var inFlightLeases: Int {
        backends.reduce(0) { total, backend in
            let statistics = backend.pool.statistics
            return total + statistics.exclusiveLeases + statistics.sharedUsers
        }
    }

    private func closeOpenSessions() async {
        await withTaskGroup(of: Void.self) { group in
            for backend in backends {
                for connection in backend.pool.usableConnections {
                    group.addTask { await connection.shutdown() }
                }
            }
        }
    }
}
