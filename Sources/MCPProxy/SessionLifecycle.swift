import MCPTransports
import Synchronization

/// A session's life: it starts its transport, serves until the client leaves (or a reload moves
/// the client on), drains its requests in flight, and lets go of its upstreams.
extension ProxySession {
    /// Begins reading from the client. Nothing upstream starts before a valid `initialize`.
    func start() async throws(TransportError) {
        try await downstream.start(sink: relay)
    }

    /// Waits until the session has ended and its upstreams are stopped.
    func waitUntilFinished() async {
        await withCheckedContinuation { continuation in
            let done = finished.withLockedValue { state -> Bool in
                if state.done { return true }
                state.waiters.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
    }

    /// Client requests not answered yet (forwarded, waiting to be routed) and tasks running for
    /// the client; zero when the session is idle.
    var busyCount: Int {
        state.withLockedValue { $0.inflight.count + $0.routing.count + $0.pendingTasks }
    }

    /// Ends the session: lets in-flight requests finish (up to the drain timeout), stops upstreams.
    func finish() async {
        let first = state.withLockedValue { state -> Bool in
            guard state.phase != .closing else { return false }
            state.phase = .closing
            return true
        }
        guard first else { return }
        let deadline = ContinuousClock.now + options.drainTimeout
        while ContinuousClock.now < deadline,
              requestsArriving.load(ordering: .sequentiallyConsistent) > 0 || state.withLockedValue({ !$0.inflight.isEmpty || $0.pendingTasks > 0 }) {
            try? await Task.sleep(for: .milliseconds(20))
        }
        await withTaskGroup(of: Void.self) { group in
            for service in services {
                group.addTask {
                    if service.isShared {
                        await service.detach(self)
                    } else {
                        await service.shutdown()
                    }
                }
            }
        }
        // A session handed over to its successor leaves the client connected.
        if !state.withLockedValue({ $0.handedOff }) { await downstream.close() }
        let waiters = finished.withLockedValue { state -> [CheckedContinuation<Void, Never>] in
            state.done = true
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Runs `body` as a task that `finish` waits for.
    func runTask(_ body: @escaping @Sendable () async -> Void) {
        state.withLockedValue { $0.pendingTasks += 1 }
        Task {
            await body()
            self.state.withLockedValue { $0.pendingTasks -= 1 }
        }
    }
}
