/// Moving open client sessions onto a new configuration (a reload of `MCPGateway`).
extension MCPProxy {
    /// The client sessions of this proxy that a reload can move (see ``adopt(_:)``).
    public func openSessions() -> [OpenSession] {
        liveSessionList.map(OpenSession.init)
    }

    /// Serves the client of `session` (a session of another proxy: the configuration a reload
    /// replaced) from now on, without the client noticing: its handshake carries over, its next
    /// messages come here, and it is told that its lists changed. The old session finishes the
    /// requests it has in flight (the client's answers and cancellations for them still reach
    /// it) and then lets go of its upstreams, leaving the client connected.
    ///
    /// Returns false at once when the session cannot move (not initialized yet, ending, or holding
    /// resource subscriptions, which live on its upstream sessions); it then finishes where it is.
    /// Otherwise returns when the client leaves, like ``serve(_:principal:)``.
    ///
    /// - Parameter endpoint: the virtual endpoint it is served on from now on (the new
    ///   configuration's view at the session's ``OpenSession/endpointPath``); nil for the main path.
    @discardableResult
    public func adopt(_ session: OpenSession, endpoint: EndpointView? = nil) async -> Bool {
        let old = session.session
        guard let handoff = old.handOff() else { return false }
        let successor = ProxySession(
            downstream: handoff.downstream, hub: hub, options: options, stats: stats, logger: logger, cursorSecret: cursorSecret,
            pipeline: pipeline, visibility: visibility, principal: handoff.principal, endpoint: endpoint, relay: handoff.relay, predecessor: old)
        successor.resume(from: handoff)
        let key = ObjectIdentifier(successor)
        liveSessions.withLockedValue { $0[key] = successor }
        defer { liveSessions.withLockedValue { _ = $0.removeValue(forKey: key) } }
        handoff.relay.retarget(successor)
        Task { await old.finish() }
        successor.announceNewConfiguration()
        await withTaskCancellationHandler {
            await successor.waitUntilFinished()
        } onCancel: {
            Task { await successor.finish() }
        }
        return true
    }
}

extension MCPProxy {
    /// Hands the running shared upstream sessions of `names` over to the proxy of a newer
    /// configuration (pass the result to its `init(..., inheriting:)`): they keep running there,
    /// serving this proxy's remaining clients and the new one's, and this proxy's
    /// ``shutdown()`` leaves them alone. The caller checks that their configuration is unchanged.
    public func handOverUpstreams(_ names: Set<String>) -> InheritedUpstreams {
        InheritedUpstreams(services: hub.handOver(names))
    }
}

/// Running shared upstreams a reload carries over (``MCPProxy/handOverUpstreams(_:)``).
public struct InheritedUpstreams: Sendable {
    let services: [Int: UpstreamService]

    /// The names of the upstreams carried over.
    public var names: [String] { services.values.map(\.name).sorted() }
}

/// A client session being served, as a reload sees it.
public struct OpenSession: Sendable {
    let session: ProxySession

    /// The path of the virtual endpoint it is served on; nil for the proxy's main path.
    public var endpointPath: String? { session.endpoint?.path }
}
