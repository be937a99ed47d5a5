import JSONRPC
import MCPTransports

/// What a session that a reload replaces hands to its successor: the client's handshake.
struct SessionHandoff: Sendable {
    let downstream: any MessageTransport
    let relay: SinkRelay
    let principal: Principal?
    let version: ProtocolVersion?
    let client: String?
    let clientCapabilities: ClientCapabilities
    let handshake: UpstreamHandshake?
    let logLevel: LogSeverity?
    let nextServerRequestID: Int64
}

extension ProxySession {
    /// Marks this session as handed over and returns what its successor needs; nil when it cannot
    /// move: its `initialize` is not answered yet, it is ending, or it holds resource
    /// subscriptions (they live on its upstream sessions), so it finishes where it is.
    func handOff() -> SessionHandoff? {
        state.withLockedValue { state -> SessionHandoff? in
            guard state.phase == .ready, !state.handedOff, state.subscriptions.isEmpty else { return nil }
            state.handedOff = true
            return SessionHandoff(
                downstream: downstream, relay: relay, principal: fixedPrincipal, version: state.version, client: state.client,
                clientCapabilities: state.clientCapabilities, handshake: state.handshake, logLevel: state.logLevel,
                // The successor's requests to the client must not reuse ids this one still waits on.
                nextServerRequestID: state.nextServerRequestID)
        }
    }

    /// Takes over a client from the session a reload replaced: ready at once, with its handshake.
    func resume(from handoff: SessionHandoff) {
        state.withLockedValue { state in
            state.phase = .ready
            state.version = handoff.version
            state.client = handoff.client
            state.clientCapabilities = handoff.clientCapabilities
            state.handshake = handoff.handshake
            state.logLevel = handoff.logLevel
            state.nextServerRequestID = handoff.nextServerRequestID
        }
        for service in services where !service.isShared && serves(service) { service.start(warm: false) }
    }

    /// Tells the client that every list may have changed (it moved to a new configuration).
    func announceNewConfiguration() {
        for method in ["notifications/tools/list_changed", "notifications/prompts/list_changed", "notifications/resources/list_changed"] {
            notifyClient(method: method)
        }
    }
}
