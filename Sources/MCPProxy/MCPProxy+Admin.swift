/// One open client session, as the admin API lists it.
public struct SessionSummary: Sendable, Equatable {
    /// The principal's subject.
    public var principal: String
    /// The client's `clientInfo` ("name version"), or "" before `initialize`.
    public var client: String
    /// The negotiated protocol version, or "" before `initialize`.
    public var protocolVersion: String
    /// How long it has been open.
    public var age: Duration
    /// Client requests not answered yet.
    public var requestsInFlight: Int
}

/// What an operator does to a running proxy (the admin API of `MCPGateway`).
extension MCPProxy {
    /// The client sessions being served.
    public func sessionSummaries() -> [SessionSummary] {
        let now = ContinuousClock.now
        return liveSessionList.map { session in
            let (client, version) = session.state.withLockedValue { ($0.client ?? "", $0.version?.rawValue ?? "") }
            return SessionSummary(principal: session.principal.subject, client: client, protocolVersion: version,
                                  age: now - session.openedAt, requestsInFlight: session.busyCount)
        }
    }

    /// Restarts upstream `name`: its open sessions close (shared, and every client's own in
    /// per-session mode) and fresh ones open; undoes a drain.
    public func restartUpstream(_ name: String) async {
        await withTaskGroup(of: Void.self) { group in
            for service in services(named: name) { group.addTask { await service.restart() } }
        }
    }

    /// Takes upstream `name` out of service until ``restartUpstream(_:)``: new requests are
    /// refused, those in flight get `timeout` to finish, then its sessions close. Returns how
    /// many requests were cut off.
    public func drainUpstream(_ name: String, timeout: Duration) async -> Int {
        await withTaskGroup(of: Int.self) { group in
            for service in services(named: name) { group.addTask { await service.drain(timeout: timeout) } }
            return await group.reduce(0, +)
        }
    }

    /// Closes the circuit breakers of upstream `name`.
    public func resetBreakers(_ name: String) {
        for service in services(named: name) { service.resetBreakers() }
    }

    /// The shared service of `name`, or every session's own (per-session mode).
    private func services(named name: String) -> [UpstreamService] {
        guard let index = upstreams.firstIndex(where: { $0.name == name }) else { return [] }
        if let shared = hub.shared[index] { return [shared] }
        return liveSessionList.compactMap { $0.services[safe: index] }
    }
}
