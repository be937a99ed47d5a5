import AsyncHTTPClient
import JSONRPC
import NIOCore

extension StreamableHTTPClientTransport {
    /// What the dispatcher does next.
    private enum DispatchStep {
        case stop
        case request(OutgoingMessage, SessionTicket)
        case oneWay(OutgoingMessage, SessionTicket)
    }

    /// Takes the proxy's queued messages in order on `loop`: requests are POSTed and left to run,
    /// a notification or response is POSTed and the rest waits until it completed. Stops while a
    /// session renewal runs (its end restarts this) and when the queue is empty.
    func dispatchQueued(on loop: any EventLoop) {
        while true {
            var abandonedStream: Task<Void, Never>?
            let step = state.withLockedValue { state -> DispatchStep in
                if state.closing {
                    state.outbox.clear()
                    return .stop
                }
                if state.renewing {
                    state.dispatchAwaitsRenewal = true
                    return .stop
                }
                guard let message = state.outbox.next() else { return .stop }
                if message.kind == .request, message.method == .initialize {
                    abandonedStream = state.beginSession(with: message.bytes)
                } else {
                    state.remember(message)
                }
                return message.isRequest ? .request(message, state.ticket) : .oneWay(message, state.ticket)
            }
            abandonedStream?.cancel()
            switch step {
            case .stop:
                return
            case .request(let message, let ticket):
                startRequest(message, ticket: ticket, on: loop)
            case .oneWay(let message, let ticket):
                startOneWay(message, ticket: ticket, on: loop)
                return
            }
        }
    }

    /// Restarts the dispatcher on one of the client's loops (after a one-way message or a renewal).
    func resumeDispatching(on loop: (any EventLoop)? = nil) {
        guard let loop = loop ?? state.withLockedValue({ $0.link?.loops.preferred() }) else { return }
        loop.execute { self.dispatchQueued(on: loop) }
    }

    /// After a renewal: restarts the dispatcher if it stopped for it.
    func resumeDispatchingAfterRenewal() {
        let parked = state.withLockedValue { state -> Bool in
            defer { state.dispatchAwaitsRenewal = false }
            return state.dispatchAwaitsRenewal
        }
        if parked { resumeDispatching() }
    }

    // MARK: Requests

    /// POSTs one of the proxy's requests; its outcome (after a renewal or a resumption, if needed)
    /// ends the exchange.
    private func startRequest(_ message: OutgoingMessage, ticket: SessionTicket, on loop: any EventLoop) {
        guard let id = message.id, let idBytes = message.idBytes else { return }
        let exchange = RequestExchange(
            id: id, idBytes: idBytes, label: message.label, isInitialize: message.method == .initialize, isInternal: false,
            isModern: message.isModern, listsTools: message.isModern && message.method == .toolsList)
        // Unregistered only after the exchange has ended, so that a late response is recognized and dropped.
        register(exchange)
        // A 2026-07-28 listen lasts until it is cancelled (its POST closed), not one request's time.
        let lasting = message.isModern && message.method == .subscriptionsListen
        let deadline = lasting ? NIODeadline.distantFuture : NIODeadline.now() + TimeAmount(configuration.requestTimeout)
        post(message, exchange: exchange, ticket: ticket, deadline: deadline, on: loop) { outcome in
            switch outcome {
            case .sessionExpired:
                self.spawn {
                    let final = await self.withinDeadline(deadline) {
                        await self.retryAfterRenewal(message, exchange: exchange, expired: ticket, deadline: deadline)
                    }
                    self.settle(message, exchange, final)
                }
            case .broken(let streamBreak):
                self.spawn {
                    let final = await self.withinDeadline(deadline) {
                        await self.resume(exchange, from: streamBreak)
                    }
                    self.settle(message, exchange, final)
                }
            default:
                self.settle(message, exchange, outcome)
            }
        }
    }

    /// Ends a request's exchange by its outcome: an error response unless it was answered, or the
    /// switch to legacy SSE when the first `initialize` was refused in automatic mode.
    private func settle(_ message: OutgoingMessage, _ exchange: RequestExchange, _ outcome: PostOutcome) {
        defer { unregister(exchange) }
        switch outcome {
        case .timedOut:
            fail(exchange, "\(configuration.url) did not answer \(message.label) within \(configuration.requestTimeout)")
        case .finished:
            if !exchange.isAnswered {
                fail(exchange, "\(configuration.url) ended its answer to \(message.label) without a response")
            }
        case .failed(let reason, let status):
            if exchange.isInitialize, let status, [400, 404, 405].contains(status), let probe = takeFallback() {
                _ = exchange.fail("the server does not speak Streamable HTTP")
                logger.info("upstream answered HTTP \(status) to a Streamable HTTP initialize; trying the legacy HTTP+SSE transport")
                probe.rejected(message.bytes, status)
                return
            }
            fail(exchange, reason)
        case .sessionExpired:
            let detail = state.withLockedValue { $0.lastRenewalFailure } ?? "the server keeps answering 404"
            fail(exchange, "the session at \(configuration.url) expired and could not be re-initialized: \(detail)")
        case .broken(let streamBreak):
            fail(exchange, "the event stream for \(message.label) broke before the response (last event id \(streamBreak.lastEventID))")
        }
        if exchange.isInitialize, let probe = state.withLockedValue({ $0.fallbackArmed ? self.probe : nil }) {
            // Neither confirmed nor rejected (unreachable, 5xx, time-out): the next initialize probes again.
            probe.failed()
        }
    }

    // MARK: Notifications and responses

    /// POSTs a notification or response; failures can only be logged. The dispatcher goes on once
    /// it completed.
    private func startOneWay(_ message: OutgoingMessage, ticket: SessionTicket, on loop: any EventLoop) {
        let deadline = NIODeadline.now() + TimeAmount(configuration.requestTimeout)
        post(message, exchange: nil, ticket: ticket, deadline: deadline, on: loop) { outcome in
            guard case .sessionExpired = outcome else {
                self.concludeOneWay(message, outcome)
                // A new turn of the loop, so that a burst of failures cannot nest without bound.
                self.resumeDispatching(on: loop)
                return
            }
            self.spawn {
                let final = await self.withinDeadline(deadline) {
                    await self.retryAfterRenewal(message, exchange: nil, expired: ticket, deadline: deadline)
                }
                self.concludeOneWay(message, final)
                self.resumeDispatching()
            }
        }
    }

    private func concludeOneWay(_ message: OutgoingMessage, _ outcome: PostOutcome) {
        // Closing cancels what is in flight; that is no delivery failure worth a warning.
        guard !state.withLockedValue({ $0.closing }) else { return }
        switch outcome {
        case .finished, .broken:
            if message.method == .initialized {
                state.withLockedValue { $0.serverStreamWanted = true }
                openServerStream()
            }
        case .failed(let reason, _):
            logger.warning("could not deliver \(message.label): \(reason)")
        case .sessionExpired:
            logger.warning("could not deliver \(message.label): the session expired and could not be re-initialized")
        case .timedOut:
            logger.warning("could not deliver \(message.label): no answer within \(configuration.requestTimeout)")
        }
    }

    // MARK: Tasks for the rare paths

    /// Runs `work` as a task that `close` cancels and waits for.
    func spawn(_ work: @escaping @Sendable () async -> Void) {
        state.withLockedValue { state in
            guard !state.closing else { return }
            let id = state.nextTaskID
            state.nextTaskID += 1
            state.tasks[id] = Task { [self] in
                await work()
                _ = self.state.withLockedValue { $0.tasks.removeValue(forKey: id) }
            }
        }
    }

    /// Runs `body` with the time left until `deadline`; `.timedOut` when it runs out.
    func withinDeadline(_ deadline: NIODeadline, _ body: @escaping @Sendable () async -> PostOutcome) async -> PostOutcome {
        let left = deadline - NIODeadline.now()
        guard left.nanoseconds > 0 else { return .timedOut }
        return await withTimeLimit(.nanoseconds(left.nanoseconds), body) ?? .timedOut
    }
}
