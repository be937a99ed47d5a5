import JSONRPC
import MCPPool
import MCPReliability

/// Taking and giving back upstream sessions: breaker, failover between replicas, bulkhead.
extension UpstreamService {
    /// A session for one request now, without waiting or opening (the hot path); nil: take the
    /// slow path (``lease(_:for:timeout:)``). An exclusive lease records `session` as the holder,
    /// so the upstream's requests on that session reach it. The bulkhead permit is not taken here.
    func tryLease(_ mode: LeaseMode, for session: ProxySession? = nil) -> UpstreamLease? {
        if let session, let ridden = piggyback(for: session) { return ridden }
        if isAdminDrained { return nil }
        for backend in backends {
            var probe = false
            if let breaker = backend.breaker {
                switch breaker.admit() {
                case .rejected: continue
                case .probe: probe = true
                case .allowed: break
                }
            }
            guard let pooled = backend.pool.tryAcquire(mode) else {
                if probe { backend.breaker?.record(.timeout, probe: true) }
                return nil
            }
            if mode == .exclusive, let session { setHolder(session, of: pooled, backend: backend) }
            return UpstreamLease(backend: backend, pooled: pooled, probe: probe, permit: false)
        }
        return nil
    }

    /// A session for one request, waiting (within `timeout`) for one to open or free up. A
    /// replica whose breaker is open, or that cannot start, hands over to the next one.
    func lease(_ mode: LeaseMode, for session: ProxySession? = nil, timeout: Duration) async -> Result<UpstreamLease, UpstreamError> {
        if isAdminDrained {
            return .failure(UpstreamError(.unavailable, upstream: name, message: Self.drainedMessage))
        }
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        var failure: UpstreamError?
        for backend in backends {
            // A replica that cannot start hands over to the next one at once.
            if backend.isDown, backend !== backends.last, backends.contains(where: { !$0.isDown }) { continue }
            var probe = false
            if let breaker = backend.breaker {
                switch breaker.admit() {
                case .rejected(let after):
                    failure = failure ?? breakerError(backend, retryAfter: after)
                    continue
                case .probe:
                    probe = true
                case .allowed:
                    break
                }
            }
            let remaining = deadline - clock.now
            guard remaining > .zero else { break }
            do {
                let pooled = try await backend.pool.acquire(mode, timeout: remaining)
                if mode == .exclusive, let session { setHolder(session, of: pooled, backend: backend) }
                return .success(UpstreamLease(backend: backend, pooled: pooled, probe: probe, permit: false))
            } catch {
                if probe { backend.breaker?.record(.transportFailure, probe: true) }
                failure = poolError(error, backend: backend)
                if case .timedOut = error { break }
            }
        }
        return .failure(failure ?? UpstreamError(.timeout, upstream: name, message: "no upstream session became available within \(timeout)"))
    }

    /// Gives a request's lease back and tells the breaker how the request went (nil: it says
    /// nothing of the upstream's health, e.g. the client cancelled).
    func release(_ lease: UpstreamLease, signal: BreakerSignal?) {
        if lease.piggyback {
            if lease.permit { bulkhead?.release() }
            // The last rider of a lease whose call already ended gives the lease back.
            if let holder = endRider(of: lease) { holder.backend.pool.release(holder.lease) }
            return
        }
        // While riders of the same client still run, the lease stays theirs (ExclusiveHolder).
        if lease.pooled.mode != .exclusive || !keepsForRiders(lease) {
            lease.backend.pool.release(lease.pooled)
        }
        if lease.permit { bulkhead?.release() }
        if let signal {
            lease.backend.breaker?.record(signal, probe: lease.probe)
        } else if lease.probe {
            lease.backend.breaker?.record(.success, probe: true)
        }
    }

    /// Runs a request of the proxy's own (a list page, a subscription, a ping) on a shared session.
    func request(method: String, params: [UInt8]?, timeout: Duration) async -> Result<JSONRPCMessage, UpstreamError> {
        let lease: UpstreamLease
        if let quick = tryLease(.shared) {
            lease = quick
        } else {
            switch await self.lease(.shared, timeout: timeout) {
            case .failure(let error): return .failure(error)
            case .success(let slow): lease = slow
            }
        }
        let result = await lease.connection.request(method: method, params: params, timeout: timeout)
        let signal: BreakerSignal
        switch result {
        case .success: signal = .success
        case .failure(let error):
            switch error.kind {
            case .timeout: signal = .timeout
            case .remote: signal = .remoteError
            case .unavailable, .protocolViolation: signal = .transportFailure
            }
        }
        release(lease, signal: signal)
        return result
    }

    /// Starts the upstream if needed and waits until one of its sessions is ready.
    func ready(timeout: Duration) async -> Result<InitializeResult, UpstreamError> {
        if let lease = tryLease(.shared) {
            defer { release(lease, signal: nil) }
            if let result = lease.connection.initializeResult { return .success(result) }
        }
        switch await lease(.shared, timeout: timeout) {
        case .failure(let error):
            return .failure(error)
        case .success(let lease):
            defer { release(lease, signal: nil) }
            guard let result = lease.connection.initializeResult ?? initializeResult else {
                return .failure(UpstreamError(.unavailable, upstream: name, message: "its session stopped"))
            }
            return .success(result)
        }
    }

    /// Records who holds an exclusive lease, so the upstream's requests reach that client.
    private func setHolder(_ session: ProxySession, of lease: PoolLease<UpstreamConnection>, backend: UpstreamBackend) {
        state.withLock { $0.holders[ObjectIdentifier(lease.connection)] = ExclusiveHolder(session: session, lease: lease, backend: backend) }
    }

    /// The call that took an exclusive lease ended: true when riders still run on it (the
    /// lease stays held, ``endRider(of:)`` gives it back); false when it goes back now.
    private func keepsForRiders(_ lease: UpstreamLease) -> Bool {
        let key = ObjectIdentifier(lease.connection)
        return state.withLock { state -> Bool in
            guard var holder = state.holders[key], holder.lease == lease.pooled else { return false }
            guard holder.riders > 0 else {
                state.holders.removeValue(forKey: key)
                return false
            }
            holder.ownerEnded = true
            state.holders[key] = holder
            return true
        }
    }

    /// A rider ended; returns the holder when it was the last one of a lease whose call had
    /// ended (the caller gives the lease back).
    private func endRider(of lease: UpstreamLease) -> ExclusiveHolder? {
        let key = ObjectIdentifier(lease.connection)
        return state.withLock { state -> ExclusiveHolder? in
            guard var holder = state.holders[key], holder.lease == lease.pooled else { return nil }
            holder.riders -= 1
            if holder.riders <= 0, holder.ownerEnded {
                state.holders.removeValue(forKey: key)
                return holder
            }
            state.holders[key] = holder
            return nil
        }
    }

    /// A client that holds an exclusive lease sends its other requests on the same upstream
    /// session: whatever the upstream asks there is still for that client, and the client does
    /// not wait for its own lease (a tool that samples while the client calls another tool).
    private func piggyback(for session: ProxySession) -> UpstreamLease? {
        guard isShared else { return nil }
        return state.withLock { state -> UpstreamLease? in
            for (key, holder) in state.holders where holder.session === session && holder.lease.connection.isReady {
                state.holders[key]?.riders += 1
                var lease = UpstreamLease(backend: holder.backend, pooled: holder.lease, probe: false, permit: false)
                lease.piggyback = true
                return lease
            }
            return nil
        }
    }

    private func breakerError(_ backend: UpstreamBackend, retryAfter: UInt64) -> UpstreamError {
        let failures = backend.breaker?.consecutiveFailures ?? 0
        return UpstreamError(.unavailable, upstream: backend.label,
                             message: "its circuit breaker is open after \(failures) consecutive failures; the proxy tries it again in \(Self.describe(nanoseconds: retryAfter))")
    }

    private func poolError(_ error: PoolError, backend: UpstreamBackend) -> UpstreamError {
        switch error {
        case .timedOut(let after):
            return UpstreamError(.timeout, upstream: backend.label, message: "no session of it became available within \(after)")
        case .queueFull(let limit):
            return UpstreamError(.unavailable, upstream: backend.label, message: "\(limit) requests are already waiting for a session of it; try again shortly")
        case .draining:
            return UpstreamError(.unavailable, upstream: backend.label, message: "the proxy is shutting down")
        case .unavailable(let reason):
            let last = state.withLock { $0.lastFailure }
            return UpstreamError(.unavailable, upstream: backend.label, message: last?.message ?? reason)
        }
    }
}
