import JSONRPC
import MCPPool
import MCPReliability
import MCPRouting
import MCPStats
import NIOConcurrencyHelpers
import NIOCore

/// Forwarding client requests upstream, and what comes back for them.
extension ProxySession {
    // MARK: Forwarding

    /// Sends a client request upstream with the proxy's id (and progress token), remembering how
    /// to answer. It takes a session of the upstream's pool (exclusively for a tool call of a
    /// client that may be asked for sampling, elicitation or roots) and a bulkhead permit; when
    /// neither is at hand at once it waits for them, within the request's deadline.
    func forward(_ message: JSONRPCMessage, target: UpstreamRoute, edits: [ByteSplice], context: ProxyRequestContext, id: [UInt8], route: ReplyRoute, attempt: Int = 1, receivedAt: UInt64? = nil) {
        guard let method = message.envelope.method else { return }
        if case .modern = route, continueHeldCall(message, target: target, context: context, id: id, route: route, receivedAt: receivedAt) {
            return  // a 2026-07-28 client's retry of a held call (SessionModernBridge.swift)
        }
        let service = services[target.index]
        let now = MonotonicClock.now()
        let startedAt = receivedAt ?? now
        let timeout = service.policy.timeout(tool: target.tool, default: options.requestTimeout)
        let deadline = startedAt &+ MonotonicClock.nanoseconds(timeout)
        let mode: LeaseMode = method == .toolsCall && service.needsExclusiveLease(clientCapabilities) ? .exclusive : .shared
        let permitted = service.bulkhead?.tryAcquire() ?? true
        if permitted, let lease = service.tryLease(mode, for: self) {
            send(message, lease: lease.holdingPermit(service.bulkhead != nil), target: target, edits: edits, context: context, id: id, route: route,
                 startedAt: startedAt, deadline: deadline, attempt: attempt)
            return
        }
        service.metrics.waits.increment()
        let outcome = NIOLockedValueBox<Result<UpstreamLease, UpstreamError>?>(nil)
        routeLater(message, route: route) {
            let remaining = Duration.nanoseconds(Int64(clamping: deadline &- min(deadline, MonotonicClock.now())))
            var holdsPermit = permitted
            if !holdsPermit, let bulkhead = service.bulkhead {
                switch await bulkhead.acquire(timeout: remaining) {
                case .acquired:
                    holdsPermit = true
                case .queueFull(let limit):
                    service.metrics.bulkheadRejected.increment()
                    outcome.withLockedValue { $0 = .failure(UpstreamError(.unavailable, upstream: service.name, message: "it already has \(bulkhead.maxConcurrent) requests in flight and \(limit) waiting (maxConcurrent, maxQueued); try again shortly")) }
                    return
                case .timedOut(let after):
                    service.metrics.bulkheadRejected.increment()
                    outcome.withLockedValue { $0 = .failure(UpstreamError(.timeout, upstream: service.name, message: "no request slot became free within \(after) (maxConcurrent \(bulkhead.maxConcurrent))")) }
                    return
                }
            }
            let leased = await service.lease(mode, for: self, timeout: Duration.nanoseconds(Int64(clamping: deadline &- min(deadline, MonotonicClock.now()))))
            if case .failure = leased, holdsPermit, service.bulkhead != nil { service.bulkhead?.release() }
            outcome.withLockedValue { $0 = leased.map { $0.holdingPermit(holdsPermit && service.bulkhead != nil) } }
        } then: {
            switch outcome.withLockedValue({ $0 }) {
            case .success(let lease)?:
                self.send(message, lease: lease, target: target, edits: edits, context: context, id: id, route: route,
                          startedAt: startedAt, deadline: deadline, attempt: attempt)
            case .failure(let error)?:
                self.finishUnforwarded(method: method, context: context)
                self.replyError(route, id: id, code: error.code, message: "Upstream '\(error.upstream)' is unavailable: \(error.message)")
            case nil:
                self.finishUnforwarded(method: method, context: context)
                self.replyError(route, id: id, code: .connectionClosed, message: "Upstream '\(service.name)' is unavailable")
            }
        } cancelled: {
            if case .success(let lease)? = outcome.withLockedValue({ $0 }) {
                service.release(lease, signal: nil)
            }
        }
    }

    /// Writes a request on a leased upstream session.
    private func send(
        _ message: JSONRPCMessage, lease: UpstreamLease, target: UpstreamRoute, edits: [ByteSplice], context: ProxyRequestContext,
        id: [UInt8], route: ReplyRoute, startedAt: UInt64, deadline: UInt64, attempt: Int
    ) {
        let envelope = message.envelope
        let upstream = lease.connection
        let service = services[target.index]
        guard let method = envelope.method, let clientID = envelope.id, let idRange = envelope.idRange, let upstreamID = upstream.reserveID() else {
            service.release(lease, signal: .transportFailure)
            replyError(route, id: id, code: .connectionClosed, message: "Upstream '\(upstream.name)' is unavailable")
            return
        }
        let upstreamIDBytes = JSONRPCID.number(upstreamID).jsonBytes
        var allEdits = edits
        if case .modern = route, !upstream.speaksModern.load(ordering: .relaxed) {
            // A handshake-era upstream gets the request without the 2026-07-28 envelope; some
            // (the SDK's dual-era servers) refuse it on a session that began with initialize.
            allEdits += ModernRequestEnvelope.splicesStripping(message)
        }
        allEdits.append(ByteSplice(range: idRange, replacement: upstreamIDBytes))
        var clientToken: [UInt8]?
        if let tokenRange = envelope.progressTokenRange {
            clientToken = message.rawBytes(tokenRange)
            allEdits.append(ByteSplice(range: tokenRange, replacement: upstreamIDBytes))
        }
        let retry = service.policy.retry
        let replay: RequestReplay? = attempt < retry.attempts && target.repeatable
            ? RequestReplay(message: message, target: target, edits: edits, attempt: attempt) : nil
        if attempt == 1 { service.retryBudget.recordRequest() }
        let request = ForwardedRequest(
            owner: self,
            clientIDBytes: id,
            clientID: clientID,
            clientProgressToken: clientToken,
            reply: route,
            method: method,
            context: context,
            startedAt: startedAt,
            deadline: deadline,
            rewritesURIs: target.rewritesURIs,
            lease: lease,
            replay: replay)
        let duplicate = state.withLockedValue { state -> Bool in
            if attempt == 1, state.inflight[clientID] != nil || state.routing.contains(clientID) { return true }
            state.inflight[clientID] = (upstream, upstreamID)
            return false
        }
        if duplicate {
            service.release(lease, signal: nil)
            replyError(route, id: id, code: .invalidRequest, message: "Request id \(clientID) is already in use by a request in flight; ids must be unique")
            return
        }
        if !upstream.forward(message.splicing(allEdits), id: upstreamID, request: request) {
            state.withLockedValue { _ = $0.inflight.removeValue(forKey: clientID) }
            if retryIfPossible(request, error: UpstreamError(.unavailable, upstream: upstream.name, message: "its session closed")) { return }
            complete(request, outcome: .upstreamUnavailable, now: MonotonicClock.now())
            replyError(route, id: id, code: .connectionClosed, message: "Upstream '\(upstream.name)' is unavailable")
        }
    }

    /// Sends a request that failed in transport again (another session, or another replica),
    /// after a backoff, if it is safe to repeat, attempts remain, the retry budget allows it and
    /// its deadline has not passed. The lease it held is given back first. True: it was retried.
    func retryIfPossible(_ request: ForwardedRequest, error: UpstreamError) -> Bool {
        guard let replay = request.replay else { return false }
        let service = services[replay.target.index]
        guard request.deadline > MonotonicClock.now(), service.retryBudget.tryWithdraw() else { return false }
        service.release(request.lease, signal: .transportFailure)
        service.metrics.retries.increment()
        var generator = SystemRandomNumberGenerator()
        let delay = service.policy.retry.delay(beforeRetry: replay.attempt, using: &generator)
        logger.info("retrying after a transport failure", metadata: ["upstream": "\(service.name)", "attempt": "\(replay.attempt + 1)", "error": "\(error.message)"])
        state.withLockedValue { _ = $0.inflight.removeValue(forKey: request.clientID) }
        routeLater(replay.message, route: request.reply) {
            try? await Task.sleep(for: delay)
        } then: {
            self.forward(replay.message, target: replay.target, edits: replay.edits, context: request.context, id: request.clientIDBytes,
                         route: request.reply, attempt: replay.attempt + 1, receivedAt: request.startedAt)
        }
        return true
    }

    /// Tells the stages that a request the chain let through never reached its upstream.
    func finishUnforwarded(method: MCPMethod, context: ProxyRequestContext) {
        let now = MonotonicClock.now()
        finished(MCPCallSummary(method: method, receivedAt: now, latencyNanoseconds: 0), context: context, outcome: .upstreamUnavailable)
    }

    /// The client's declared capabilities.
    var clientCapabilities: ClientCapabilities { state.withLockedValue { $0.clientCapabilities } }

    // MARK: Responses from upstreams

    func upstream(_ upstream: UpstreamConnection, answered request: ForwardedRequest, with message: JSONRPCMessage) {
        if case .held(let hold) = request.reply {
            hold.settle(.answered(message))  // kept for the client's retry (SessionModernBridge.swift)
            return
        }
        state.withLockedValue { _ = $0.inflight.removeValue(forKey: request.clientID) }
        if case .number(let upstreamID)? = message.envelope.id, let sent = upstream.takeSent(upstreamID),
           bridgeInputRequired(upstream, request: request, message: message, sent: sent) { return }  // SessionInputBridge.swift
        guard let idRange = message.envelope.idRange else { return }
        var edits = [ByteSplice(range: idRange, replacement: request.clientIDBytes)]
        if request.rewritesURIs, let resultRange = message.envelope.resultRange {
            edits += URIRewriter.edits(inResult: JSONView(message: message, range: resultRange)) { self.catalog.exposedURI($0, upstream: upstream.index) }
        }
        edits += taskIDEdits(in: message, request: request, upstream: upstream)  // SessionTasks.swift
        let outcome: MCPOutcome = message.envelope.kind == .errorResponse
            ? .error(code: message.envelope.errorCode ?? JSONRPCErrorCode.internalError.rawValue) : .success
        let answer = message.splicing(edits)
        if let resultGuard = options.resultGuard, outcome == .success, let call = request.context.attachments[GovernedCall.self] {
            // Result guards or a policy hook's response phase (Governance/SessionGovernance.swift).
            // The result as the client would get it: the scanner's range when only the id changed,
            // else (resource URIs rewritten) read again from the edited answer.
            let result = edits.count == 1
                ? message.envelope.resultRange.map { message.rawBytes($0) }
                : (try? JSONView.parse(answer, limits: options.scanLimits))?["result"]?.rawBytes
            guardAnswer(answer, result: result, request: request, guard: resultGuard, call: call)
            return
        }
        complete(request, outcome: outcome, now: MonotonicClock.now(), responseBytes: answer.readableBytes)
        reply(answer, request.reply)
    }

    func upstream(_ upstream: UpstreamConnection, progress message: JSONRPCMessage, for request: ForwardedRequest) {
        guard let token = request.clientProgressToken, let range = message.envelope.progressTokenRange else { return }
        sendToClient(message.splicing(range, with: token), relatedTo: request.clientID)
    }

    func upstream(_ upstream: UpstreamConnection, abandoned requests: [ForwardedRequest], error: UpstreamError) {
        let remaining = requests.filter { !retryIfPossible($0, error: error) }
        state.withLockedValue { state in
            for request in remaining { state.inflight.removeValue(forKey: request.clientID) }
        }
        let now = MonotonicClock.now()
        for request in remaining {
            complete(request, outcome: .upstreamUnavailable, now: now)
            replyError(request.reply, id: request.clientIDBytes, code: error.code,
                       message: "Upstream '\(upstream.name)' failed before answering: \(error.message)")
        }
    }
}
