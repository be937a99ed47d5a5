import JSONRPC

/// A handshake-era client's `resources/subscribe` and `resources/unsubscribe` of a resource a
/// 2026-07-28 upstream owns: 2026-07-28 removed both methods, so the proxy answers them itself
/// and holds the subscription upstream as a listen with `resourceSubscriptions`
/// (UpstreamService+Listen.swift), shared with every other client that wants that URI. The
/// upstream's `notifications/resources/updated` then reach the client as in the handshake era.
extension ProxySession {
    /// Answers a subscribe or unsubscribe of `exposed` (the client's URI) that passed the
    /// pipeline's stages and is routed to the 2026-07-28 upstream `upstream`.
    func subscribeAtModernUpstream(_ exposed: String, upstream: Int, subscribe: Bool, id: [UInt8], route: ReplyRoute) {
        guard let service = services[safe: upstream] else { return }
        let target = (upstream: upstream, uri: catalog.resourceTarget(for: exposed)?.uri ?? exposed)
        let changed = state.withLockedValue { state -> Bool in
            if subscribe {
                state.subscriptions[exposed, default: 0] += 1
                return state.subscriptions[exposed] == 1
            }
            guard let count = state.subscriptions[exposed] else { return false }
            state.subscriptions[exposed] = count > 1 ? count - 1 : nil
            return count == 1
        }
        guard changed else {
            replyResult(route, id: id, result: Array("{}".utf8))
            return
        }
        guard subscribe else {
            if service.unsubscribe(target.uri, session: self) { runTask { await service.dropSubscription(target.uri) } }
            replyResult(route, id: id, result: Array("{}".utf8))
            return
        }
        runTask {
            if service.subscribe(target.uri, session: self), !(await service.holdSubscription(target.uri)) {
                _ = service.unsubscribe(target.uri, session: self)
                self.state.withLockedValue { state in
                    if let count = state.subscriptions[exposed] { state.subscriptions[exposed] = count > 1 ? count - 1 : nil }
                }
                self.replyError(route, id: id, code: .internalError, message: "Upstream '\(service.name)' did not take the subscription to '\(exposed)'")
                return
            }
            self.replyResult(route, id: id, result: Array("{}".utf8))
        }
    }
}
