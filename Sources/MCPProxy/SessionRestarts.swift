import JSONRPC

/// Supervised restarts of upstreams that stopped unexpectedly.
extension ProxySession {
    /// The delay before restart attempt `attempt` (1-based): doubling from the first, capped.
    static func restartDelay(attempt: Int, first: Duration, maximum: Duration) -> Duration {
        let doublings = min(max(attempt - 1, 0), 30)
        let delay = first * (1 << doublings)
        return min(delay, maximum)
    }

    func scheduleRestart(_ upstream: UpstreamConnection) {
        let attempt = state.withLockedValue { state -> Int in
            state.restartAttempts[upstream.index, default: 0] += 1
            return state.restartAttempts[upstream.index] ?? 1
        }
        let delay = Self.restartDelay(attempt: attempt, first: options.restartDelay, maximum: options.maxRestartDelay)
        logger.notice("restarting upstream '\(upstream.name)' in \(delay) (attempt \(attempt))")
        // Not a tracked task: a pending restart must not hold up the session's shutdown.
        Task { [weak self] in
            try? await Task.sleep(for: delay)
            guard let self, self.phase.isServing, upstream.reset() else { return }
            // On failure the upstream stops again, which schedules the next attempt.
            guard case .success(let result) = await self.ready(upstream) else { return }
            self.state.withLockedValue { _ = $0.restartAttempts.removeValue(forKey: upstream.index) }
            self.logger.notice("upstream '\(upstream.name)' is back after \(attempt) attempt(s)")
            await self.resubscribe(upstream)
            var announced = Set<String>()
            for kind in ListKind.allCases where kind.isOffered(by: result.capabilities) && announced.insert(kind.listChangedMethod).inserted {
                self.notifyClient(method: kind.listChangedMethod)
            }
        }
    }

    /// Re-sends the client's subscriptions that belong to a restarted upstream.
    private func resubscribe(_ upstream: UpstreamConnection) async {
        guard upstream.initializeResult?.capabilities.resourcesSubscribe == true else { return }
        let uris = state.withLockedValue { Array($0.subscriptions.keys) }
        for uri in uris {
            guard let target = resourceTarget(for: uri),
                  target.upstream == upstream.index else { continue }
            let params = Array(#"{"uri":"#.utf8) + JSONString.encode(target.uri) + [UInt8(ascii: "}")]
            if case .failure(let error) = await upstream.request(method: "resources/subscribe", params: params, timeout: options.requestTimeout) {
                logger.warning("could not renew the subscription to \(uri): \(error)")
            }
        }
    }
}
