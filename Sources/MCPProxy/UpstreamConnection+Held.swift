/// Forwarded requests that change hands while in flight: a call of a 2026-07-28 client held
/// for its retry (SessionModernBridge.swift) is answered to whichever request continues it.
extension UpstreamConnection {
    /// The only forwarded request in flight here, with its upstream id; nil when there are
    /// none or several (then a question of the upstream belongs to no call the proxy can tell).
    func soleForwardedCall() -> (id: Int64, request: ForwardedRequest)? {
        state.withLockedValue { state in
            var found: (id: Int64, request: ForwardedRequest)?
            for (id, entry) in state.pending {
                guard case .forwarded(let request) = entry else { continue }
                if found != nil { return nil }
                found = (id, request)
            }
            return found
        }
    }

    /// The forwarded request with upstream id `id`, while in flight.
    func forwardedRequest(_ id: Int64) -> ForwardedRequest? {
        state.withLockedValue { state in
            guard case .forwarded(let request)? = state.pending[id] else { return nil }
            return request
        }
    }

    /// Points the forwarded request with upstream id `id` at `replacement`, if it is still in
    /// flight and `current` accepts the request it has now. False when it is gone (answered,
    /// timed out or failed in the meantime).
    func replacePending(_ id: Int64, with replacement: ForwardedRequest, if current: (ForwardedRequest) -> Bool) -> Bool {
        state.withLockedValue { state in
            guard case .forwarded(let request)? = state.pending[id], current(request) else { return false }
            state.pending[id] = .forwarded(replacement)
            return true
        }
    }
}
