import JSONRPC
import MCPReliability

/// What upstream sessions send on their own, routed to the client sessions it belongs to.
extension UpstreamService {
    func upstream(_ upstream: UpstreamConnection, request message: JSONRPCMessage) {
        guard let idRange = message.envelope.idRange, let method = message.envelope.method else { return }
        let idBytes = message.rawBytes(idRange)
        if method == .ping {
            upstream.send(JSONRPCEncoder.result(idBytes: idBytes, result: Array("{}".utf8)))
            return
        }
        guard let session = attributedSession(upstream) else {
            metrics.unattributed.increment()
            logger.warning("refused a \(method.name) request: the upstream session is shared and no client holds it (set pool.serverRequests: lease, or pool.mode: perSession)")
            upstream.send(JSONRPCEncoder.errorResponse(
                idBytes: idBytes, code: .methodNotFound,
                message: "The proxy cannot tell which client '\(method.name)' is for: this upstream session is shared; ask only while handling a tool call"))
            return
        }
        session.upstream(upstream, request: message)
    }

    func upstream(_ upstream: UpstreamConnection, notification message: JSONRPCMessage) {
        guard let method = message.envelope.method else { return }
        switch method {
        case .toolsListChanged, .promptsListChanged, .resourcesListChanged:
            for group in catalogGroups() {
                for kind in ListKind.invalidated(by: method) {
                    group.catalog.invalidate(kind, upstream: index)
                }
                for session in group.sessions { session.notifyClient(method: method.name) }
            }
        case .resourcesUpdated, .cancelled:
            // Each session keeps what it subscribed to and what it was asked; it takes only its own.
            for session in sessions { session.upstream(upstream, notification: message) }
        case .other(UpstreamListens.acknowledgedMethod):
            break  // the proxy's own listens toward a 2026-07-28 upstream (UpstreamService+Listen.swift)
        default:
            guard let session = attributedSession(upstream) else {
                metrics.unattributed.increment()
                logger.debug("dropped a \(method.name) notification from a shared session no client holds")
                return
            }
            session.upstream(upstream, notification: message)
        }
    }

    func upstreamStopped(_ upstream: UpstreamConnection, error: UpstreamError) {
        // Read before the pool hears of it: the pool closes a lost connection, which marks it
        // closed by the proxy.
        let intentional = upstream.closedByProxy
        let backend = backends[safe: upstream.replica]
        backend?.pool.connectionLost(upstream)
        state.withLock { _ = $0.holders.removeValue(forKey: ObjectIdentifier(upstream)) }
        if upstream.everReady { metrics.sessionsOpen.add(-1) }
        childCount?.giveBack()
        guard !isClosing else { return }
        if intentional {
            // Idle eviction or a restart the proxy decided: nothing failed, nothing to hide.
            for session in sessions { session.connectionStopped(upstream, error: error) }
            return
        }
        if upstream.everReady {
            state.withLock { $0.restarted = true }
            logger.error("upstream session stopped: \(error.message)")
            metrics.lost.increment()
            backend?.breaker?.record(.transportFailure)
        }
        for session in sessions { session.connectionStopped(upstream, error: error) }
        // A per-session upstream is started again only on demand: until then it is unavailable.
        if !isShared, upstream.everReady, !backends.contains(where: \.hasUsableConnection) {
            state.withLock { $0.lastFailure = error }
            hide()
            if options.restartUpstreams { restartOwnSession() }
        }
    }

    /// Per-session mode with `restartUpstreams`: opens the client's upstream session again after
    /// the restart delay (doubling while it keeps failing); the client gets `list_changed` when
    /// it is back.
    func restartOwnSession() {
        let attempt = state.withLock { state -> Int? in
            guard !state.restartScheduled else { return nil }
            state.restartScheduled = true
            state.restartAttempts += 1
            return state.restartAttempts
        }
        guard let attempt else { return }
        let delay = RestartBackoff(first: options.restartDelay, maximum: options.maxRestartDelay).delay(attempt: attempt)
        logger.notice("restarting the upstream in \(delay) (attempt \(attempt))")
        Task { [weak self] in
            try? await Task.sleep(for: delay)
            guard let self else { return }
            self.state.withLock { $0.restartScheduled = false }
            guard !self.isClosing, let owner = self.owner, owner.phase != .closing,
                  !self.backends.contains(where: \.hasUsableConnection) else { return }
            // A failure schedules the next attempt (openConnection's failure path).
            if case .success = await self.ready(timeout: self.options.initializeTimeout) {
                self.state.withLock { $0.restartAttempts = 0 }
            }
        }
    }

    // MARK: Availability (fail-open)

    func breakerChanged(replica: Int, from old: CircuitState, to new: CircuitState) {
        logger.notice("circuit breaker \(old.name) -> \(new.name)", metadata: ["replica": "\(replica)"])
        switch new {
        case .open:
            if backends.allSatisfy(\.isDown) {
                hide()
            } else if isShared, state.withLock({ $0.started }), let next = backends[safe: replica + 1] {
                // Failover: the next replica keeps the pool's size while this one is out.
                logger.notice("failing over to replica \(replica + 1)")
                next.pool.start()
            }
        case .closed:
            let wasHidden = state.withLock { state -> Bool in
                defer { state.hidden = false }
                return state.hidden
            }
            if wasHidden, let result = initializeResult { announceListsChanged(result.capabilities) }
        case .halfOpen:
            break
        }
    }

    /// Takes its items out of the merged lists (`failOpen: hide`) and tells clients.
    func hide() {
        guard options.failOpen == .hide else { return }
        let first = state.withLock { state -> Bool in
            defer { state.hidden = true }
            return !state.hidden
        }
        guard first else { return }
        logger.warning("upstream unavailable: its tools, prompts and resources leave the lists until it recovers")
        for group in catalogGroups() {
            var announced = Set<String>()
            for kind in group.catalog.remove(upstream: index) where announced.insert(kind.listChangedMethod).inserted {
                for session in group.sessions { session.notifyClient(method: kind.listChangedMethod) }
            }
        }
    }

    /// Tells clients the lists may have changed (it came back).
    func announceListsChanged(_ capabilities: ServerCapabilities) {
        for group in catalogGroups() {
            var announced = Set<String>()
            for kind in ListKind.allCases where kind.isOffered(by: capabilities) {
                group.catalog.invalidate(kind, upstream: index)
                guard announced.insert(kind.listChangedMethod).inserted else { continue }
                for session in group.sessions { session.notifyClient(method: kind.listChangedMethod) }
            }
        }
    }

    // MARK: Subscriptions

    /// Adds a client's subscription; true when it is the first for `uri` (send it upstream).
    func subscribe(_ uri: String, session: ProxySession) -> Bool {
        let key = ObjectIdentifier(session)
        return state.withLock { state in
            let first = state.subscribers[uri]?.isEmpty ?? true
            state.subscribers[uri, default: []].insert(key)
            return first
        }
    }

    /// Removes a client's subscription; true when it was the last for `uri` (send it upstream).
    func unsubscribe(_ uri: String, session: ProxySession) -> Bool {
        let key = ObjectIdentifier(session)
        return state.withLock { state in
            guard var keys = state.subscribers[uri], keys.remove(key) != nil else { return false }
            if keys.isEmpty {
                state.subscribers.removeValue(forKey: uri)
                return true
            }
            state.subscribers[uri] = keys
            return false
        }
    }

    /// Remembers a per-session client's log level for sessions opened later.
    func rememberLogLevel(_ level: [UInt8]) {
        state.withLock { $0.logLevel = level }
    }
}
