import AsyncHTTPClient
import JSONRPC
import NIOCore
import NIOHTTP1

extension StreamableHTTPClientTransport {
    /// The session to send with; waits while a renewal runs. Nil when closing or cancelled.
    func currentTicket() async -> SessionTicket? {
        while true {
            let (ticket, renewing) = state.withLockedValue { state -> (SessionTicket?, Bool) in
                if state.closing { return (nil, false) }
                if state.renewing { return (nil, true) }
                return (state.ticket, false)
            }
            if let ticket { return ticket }
            guard renewing, !Task.isCancelled else { return nil }
            await waitWhileRenewing()
        }
    }

    /// Takes the session id from a successful `initialize` response (none: the server is stateless).
    func adoptSession(from headers: HTTPHeaders) {
        var sessionID = headers.first(name: "mcp-session-id")
        if let value = sessionID, value.isEmpty || !value.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) {
            logger.error("the server sent an Mcp-Session-Id that is not visible ASCII; ignoring it")
            sessionID = nil
        }
        let confirmed = state.withLockedValue { state -> ProbeHooks? in
            state.sessionID = sessionID
            defer { state.fallbackArmed = false }
            return state.fallbackArmed ? probe : nil
        }
        confirmed?.confirmed()
    }

    /// Takes `result.protocolVersion` of an initialize response for the `MCP-Protocol-Version` header.
    func adoptProtocolVersion(from message: JSONRPCMessage) {
        guard let range = message.envelope.resultRange,
              let version = JSONView(message: message, range: range)["protocolVersion"]?.string,
              !version.isEmpty, version.utf8.allSatisfy({ (0x20...0x7E).contains($0) })
        else { return }
        state.withLockedValue { $0.protocolVersion = version }
    }

    // MARK: Renewal

    /// Waits until the session that `expired` belongs to has been renewed, starting the renewal if
    /// nobody has yet. Returns at once when a newer session exists already.
    func renewSession(after expired: SessionTicket) async {
        startRenewal(after: expired)
        await waitWhileRenewing()
    }

    /// Starts a renewal unless one runs or the session was already renewed.
    func startRenewal(after expired: SessionTicket) {
        let stream = state.withLockedValue { state -> Task<Void, Never>? in
            guard !state.closing, !state.renewing, state.generation == expired.generation else { return nil }
            state.renewing = true
            state.renewal = Task { [self] in await self.performRenewal() }
            defer { state.serverStream = nil }
            return state.serverStream
        }
        stream?.cancel()
    }

    /// Parks until the running renewal ends (or this task is cancelled, or the transport closes).
    func waitWhileRenewing() async {
        let waiterID = state.withLockedValue { state -> Int in
            state.nextWaiterID += 1
            return state.nextWaiterID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let parked = state.withLockedValue { state -> Bool in
                    guard state.renewing, !state.closing, !Task.isCancelled else { return false }
                    state.waiters[waiterID] = continuation
                    return true
                }
                if !parked { continuation.resume() }
            }
        } onCancel: {
            let continuation = state.withLockedValue { $0.waiters.removeValue(forKey: waiterID) }
            continuation?.resume()
        }
    }

    private func performRenewal() async {
        let failure = await renewalSteps()
        let (waiters, reopen) = state.withLockedValue { state -> ([CheckedContinuation<Void, Never>], Bool) in
            state.renewing = false
            state.renewal = nil
            if let failure {
                state.lastRenewalFailure = failure
            } else {
                state.generation += 1
            }
            let waiters = Array(state.waiters.values)
            state.waiters.removeAll()
            return (waiters, failure == nil && state.serverStreamWanted && !state.closing)
        }
        if let failure {
            logger.error("could not re-initialize the expired session: \(failure)")
        } else {
            logger.notice("session re-initialized")
        }
        for waiter in waiters { waiter.resume() }
        if reopen { openServerStream() }
        resumeDispatchingAfterRenewal()
    }

    /// initialize, notifications/initialized, then the remembered setLevel and subscriptions.
    /// Returns why it failed, or nil.
    private func renewalSteps() async -> String? {
        let (initialize, replays) = state.withLockedValue { state in
            (state.initializeRequest, [state.logLevelRequest].compactMap { $0 } + state.subscriptions.map(\.bytes))
        }
        guard let initialize else {
            return "the proxy never sent initialize, so there is nothing to repeat"
        }
        let fresh = SessionTicket(sessionID: nil, protocolVersion: nil, generation: -1)
        switch await internalRequest(initialize, isInitialize: true, ticket: fresh) {
        case .failure(let reason):
            return "initialize: \(reason)"
        case .success(let response) where response.envelope.kind == .errorResponse:
            return "initialize was answered with error \(response.envelope.errorCode ?? 0)"
        case .success:
            break
        }
        let ticket = state.withLockedValue { $0.ticket }
        let initialized = OutgoingMessage(
            bytes: JSONRPCEncoder.notification(method: "notifications/initialized", params: nil),
            kind: .notification, id: nil, method: .initialized)
        let deadline = NIODeadline.now() + TimeAmount(configuration.requestTimeout)
        switch await post(initialized, exchange: nil, ticket: ticket, deadline: deadline) {
        case .finished, .broken: break
        case .failed(let reason, _): return "notifications/initialized: \(reason)"
        case .sessionExpired: return "notifications/initialized: the new session was refused (404)"
        case .timedOut: return "notifications/initialized: no answer within \(configuration.requestTimeout)"
        }
        for replay in replays {
            switch await internalRequest(replay, isInitialize: false, ticket: ticket) {
            case .failure(let reason):
                logger.warning("could not repeat a request after re-initializing: \(reason)")
            case .success(let response) where response.envelope.kind == .errorResponse:
                logger.warning("a repeated request was answered with error \(response.envelope.errorCode ?? 0)", metadata: ["method": "\(response.envelope.method?.name ?? "?")"])
            case .success:
                break
            }
        }
        return nil
    }

    /// Sends a remembered request under an id of the transport's own and returns its response.
    private func internalRequest(_ original: ByteBuffer, isInitialize: Bool, ticket: SessionTicket) async -> Result<JSONRPCMessage, RenewalError> {
        guard let scanned = try? scanner.scanMessage(original), let method = scanned.envelope.method else {
            return .failure(RenewalError("the remembered message is not a valid request"))
        }
        let number = state.withLockedValue { state -> Int in
            state.nextInternalID += 1
            return state.nextInternalID
        }
        let id = JSONRPCID.string("mcp-proxy-renewal-\(number)")
        let message = OutgoingMessage(bytes: scanned.replacingID(with: id.jsonBytes), kind: .request, id: id, method: method)
        let exchange = RequestExchange(id: id, idBytes: id.jsonBytes, label: method.name, isInitialize: isInitialize, isInternal: true)
        register(exchange)
        defer { unregister(exchange) }
        let deadline = NIODeadline.now() + TimeAmount(configuration.requestTimeout)
        let outcome = await withinDeadline(deadline) { [self] in
            await self.post(message, exchange: exchange, ticket: ticket, deadline: deadline)
        }
        if let response = exchange.response { return .success(response) }
        let reason: String
        switch outcome {
        case .timedOut: reason = "no answer within \(configuration.requestTimeout)"
        case .failed(let text, _): reason = text
        case .sessionExpired: reason = "HTTP 404"
        case .finished: reason = "the answer held no response"
        case .broken: reason = "the event stream broke before the response"
        }
        _ = exchange.fail(reason)
        return .failure(RenewalError(reason))
    }
}

/// Why one step of a session renewal failed.
struct RenewalError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
