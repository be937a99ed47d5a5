import JSONRPC
import MCPSecurity
import NIOCore

/// Bridging a 2026-07-28 client in front of a handshake-era upstream. During a call the upstream
/// asks the client something (`sampling/createMessage`, `elicitation/create`, `roots/list`) with
/// a request of its own, and waits. A 2026-07-28 client takes no such requests; it takes an
/// `input_required` result instead and sends its call again with the answers. So the proxy:
///
/// 1. answers the client's call with `input_required`: the upstream's question as the one entry
///    of `inputRequests`, and a `requestState` sealed with the proxy's key that names a hold;
/// 2. keeps the upstream call open, in flight, in a hold (``InputHolds``) that any session of the
///    proxy can claim (a retry may come on another connection);
/// 3. when the client sends the call again (a new id, `inputResponses`, the `requestState`),
///    checks the seal, claims the hold, points the upstream call at the new request, and
///    answers the upstream's question with the client's answer. The upstream's result (or its
///    next question, which starts again at 1) goes to the new request.
///
/// A client that did not declare the capability the question needs gets -32021 with
/// `data.requiredCapabilities`, and the upstream call is cancelled. An altered `requestState`
/// gets -32602; so does one whose hold is gone (continued already, expired, or held by another
/// replica of the proxy).
extension ProxySession {
    /// Takes a question an upstream sent during a call of a 2026-07-28 client. False when it is
    /// not one (the caller goes on as for a handshake-era client).
    func bridgeForModernClient(_ upstream: UpstreamConnection, question message: JSONRPCMessage) -> Bool {
        guard let (callID, call) = upstream.soleForwardedCall() else {
            guard servesModernClientOnly else { return false }
            refuseQuestion(message, upstream: upstream, message: "The client speaks protocol 2026-07-28: the proxy can put a question to it only during one of its calls, and cannot tell which call this is")
            return true
        }
        switch call.reply {
        case .held(let hold):
            hold.enqueue(message)
        case .modern(_, let abilities, _):
            call.owner.hold(call, id: callID, at: upstream, question: message, abilities: abilities)
        case .direct, .batch:
            guard servesModernClientOnly else { return false }
            refuseQuestion(message, upstream: upstream, message: "The client speaks protocol 2026-07-28 and cannot be asked outside its own calls")
        }
        return true
    }

    /// Whether this session began with a 2026-07-28 request rather than `initialize`.
    var servesModernClientOnly: Bool { state.withLockedValue { $0.modernClient } }

    /// Answers the client's call `input_required` and keeps the upstream call for the retry.
    private func hold(_ call: ForwardedRequest, id callID: Int64, at upstream: UpstreamConnection, question message: JSONRPCMessage,
                      abilities: ModernClientAbilities) {
        guard let method = message.envelope.method, let idRange = message.envelope.idRange,
              let question = InputRequestBridge.inputRequest(from: message) else { return }
        let mode = message.envelope.paramsRange.flatMap { JSONView(message: message, range: $0)["mode"]?.string }
        guard let needed = RequiredClientCapability.forInputRequest(method: method.name, elicitationMode: mode) else {
            refuseQuestion(message, upstream: upstream, message: "Method not found: '\(method.name)' (the proxy passes sampling, elicitation and roots to clients)")
            return
        }
        guard abilities.covers(needed) else {
            endForMissingCapability(call, id: callID, at: upstream, question: message, needed: needed)
            return
        }
        let hold = InputHold(upstream: upstream, callID: callID, call: call, questionID: message.rawBytes(idRange), key: Self.inputKey(callID, idRange: message.rawBytes(idRange)),
                             principalKey: principal.identityKey, expiresAt: call.deadline &+ Self.holdGrace)
        let held = call.rerouted(to: .held(hold))
        guard upstream.replacePending(callID, with: held, if: { $0.clientID == call.clientID && $0.owner === call.owner }) else {
            // The call ended meanwhile: nobody is left to ask.
            refuseQuestion(message, upstream: upstream, message: "The call this question belongs to has ended")
            return
        }
        state.withLockedValue { _ = $0.inflight.removeValue(forKey: call.clientID) }
        inputHolds.add(hold)
        scheduleExpiry(of: hold)
        let now = MonotonicClock.now()
        finished(MCPCallSummary(method: call.method, receivedAt: call.startedAt, latencyNanoseconds: now &- call.startedAt), context: call.context, outcome: .success)
        let token = JSONString.encode(inputHolds.seal.seal(hold.id))
        let result = InputRequestBridge.inputRequiredResult(requests: [(key: hold.key, value: question)], requestState: token)
        logger.debug("asked a 2026-07-28 client for input on behalf of its upstream", metadata: ["upstream": "\(upstream.name)", "method": "\(method.name)"])
        reply(JSONRPCEncoder.result(idBytes: call.clientIDBytes, result: result), call.reply)
    }

    /// How long past the call's deadline an unclaimed hold is kept, so that a late retry gets
    /// the call's timeout error rather than "gone".
    static let holdGrace = MonotonicClock.nanoseconds(.seconds(30))

    /// The `inputRequests` key of a question: unique per call and question.
    private static func inputKey(_ callID: Int64, idRange: [UInt8]) -> String {
        "upstream-" + String(decoding: idRange.filter { $0 != UInt8(ascii: "\"") }, as: UTF8.self)
    }

    /// Drops `hold` once its time is up if no retry claimed it: the upstream call is cancelled
    /// (if still in flight), its question refused, and its session given back.
    private func scheduleExpiry(of hold: InputHold) {
        let delay = Duration.nanoseconds(Int64(clamping: hold.expiresAt &- min(hold.expiresAt, MonotonicClock.now())))
        let holds = inputHolds
        let service = services[hold.call.lease.connection.index]
        Task {
            try? await Task.sleep(for: delay)
            guard holds.expire(hold), hold.end() else { return }
            if hold.upstream.abandon(hold.callID) != nil {
                hold.upstream.send(Self.cancellation(of: hold.callID, reason: "the client did not come back with its input"))
            }
            hold.upstream.send(JSONRPCEncoder.errorResponse(idBytes: hold.questionID, code: .requestTimeout, message: "The client did not answer in time"))
            service.release(hold.call.lease, signal: nil)
        }
    }

    /// -32021 for the client's call, whose upstream asked for what the client did not declare;
    /// the upstream's question is refused and its call cancelled.
    private func endForMissingCapability(_ call: ForwardedRequest, id callID: Int64, at upstream: UpstreamConnection, question: JSONRPCMessage,
                                         needed: RequiredClientCapability) {
        refuseQuestion(question, upstream: upstream, message: "The client does not support \(needed.displayName)")
        guard upstream.abandon(callID) != nil else { return }
        upstream.send(Self.cancellation(of: callID, reason: "the client lacks a capability the call needs"))
        state.withLockedValue { _ = $0.inflight.removeValue(forKey: call.clientID) }
        let rejection = ModernValidation.missingCapability(needed, requiredBy: "upstream '\(upstream.name)'")
        complete(call, outcome: .error(code: rejection.code.rawValue), now: MonotonicClock.now())
        replyError(call.reply, id: call.clientIDBytes, code: rejection.code, message: rejection.message, data: rejection.data)
    }

    private func refuseQuestion(_ question: JSONRPCMessage, upstream: UpstreamConnection, message: String) {
        guard let idRange = question.envelope.idRange else { return }
        upstream.send(JSONRPCEncoder.errorResponse(idBytes: question.rawBytes(idRange), code: .methodNotFound, message: message))
    }

    static func cancellation(of id: Int64, reason: String) -> ByteBuffer {
        var params: [UInt8] = Array(#"{"requestId":"#.utf8)
        params += JSONRPCID.number(id).jsonBytes
        params += Array(#","reason":"#.utf8)
        JSONString.append(reason, to: &params)
        params.append(UInt8(ascii: "}"))
        return JSONRPCEncoder.notification(method: "notifications/cancelled", params: params)
    }

    // MARK: The retry

    /// The proxy's sealed `requestState` of a 2026-07-28 request, if it carries one (a state of
    /// an upstream's own is not the proxy's and goes up untouched).
    static func sealedRequestState(_ message: JSONRPCMessage) -> String? {
        guard let params = message.envelope.paramsRange,
              let state = JSONView(message: message, range: params)["requestState"]?.string,
              RequestStateSeal.isSealed(state) else { return nil }
        return state
    }

    /// Continues a held call with the client's retry: true when `message` was one (answered or
    /// refused here), false when it carries no state of the proxy's.
    func continueHeldCall(_ message: JSONRPCMessage, target: UpstreamRoute, context: ProxyRequestContext, id: [UInt8], route: ReplyRoute,
                          receivedAt: UInt64?) -> Bool {
        guard let sealed = Self.sealedRequestState(message), let method = message.envelope.method, let clientID = message.envelope.id else { return false }
        let refuse = { (text: String) in
            self.finishUnforwarded(method: method, context: context)
            self.replyError(route, id: id, code: .invalidParams, message: text)
        }
        let holdID: [UInt8]
        do {
            holdID = try inputHolds.seal.open(sealed)
        } catch {
            refuse(error.message)
            return true
        }
        let gone = "The call this requestState continues is gone: it was continued already, it expired, or another replica of the proxy holds it. Call again without requestState"
        guard let hold = inputHolds.claim(holdID) else {
            refuse(gone)
            return true
        }
        guard hold.principalKey == principal.identityKey, hold.call.method == method,
              hold.call.lease.connection.index == target.index, services[target.index] === hold.call.owner.services[target.index] else {
            // Not this client's, or not reachable from this session: put it back for its owner.
            inputHolds.add(hold)
            refuse(hold.principalKey == principal.identityKey ? "requestState belongs to another call, or to a session this one cannot continue (continue on the same connection)" : gone)
            return true
        }
        guard hold.end() else {
            refuse(gone)
            return true
        }
        let now = MonotonicClock.now()
        let startedAt = receivedAt ?? now
        let timeout = services[target.index].policy.timeout(tool: target.tool, default: options.requestTimeout)
        let request = ForwardedRequest(
            owner: self, clientIDBytes: id, clientID: clientID,
            clientProgressToken: message.envelope.progressTokenRange.map { message.rawBytes($0) },
            reply: route, method: method, context: context, startedAt: startedAt,
            deadline: startedAt &+ MonotonicClock.nanoseconds(timeout), rewritesURIs: target.rewritesURIs,
            lease: hold.call.lease, replay: nil)
        let upstream = hold.upstream
        let moved = upstream.replacePending(hold.callID, with: request) {
            if case .held(let current) = $0.reply { return current === hold }
            return false
        }
        guard moved else {
            // The call ended while held: its result or error goes to this request.
            hold.whenSettled { outcome in self.deliver(outcome, of: hold, to: request) }
            return true
        }
        state.withLockedValue { $0.inflight[clientID] = (upstream, hold.callID) }
        let answer = Self.inputResponse(for: hold.key, in: message)
        upstream.send(answer.map { JSONRPCEncoder.result(idBytes: hold.questionID, result: $0) }
            ?? JSONRPCEncoder.errorResponse(idBytes: hold.questionID, code: .invalidParams, message: "The client gave no answer"))
        for question in hold.takeQueued() { _ = bridgeForModernClient(upstream, question: question) }
        return true
    }

    /// `params.inputResponses[key]` as raw JSON.
    private static func inputResponse(for key: String, in message: JSONRPCMessage) -> [UInt8]? {
        guard let params = message.envelope.paramsRange else { return nil }
        return JSONView(message: message, range: params)["inputResponses"]?[key]?.rawBytes.map { $0 }
    }

    /// What became of a held call, given to the request that continues it.
    private func deliver(_ outcome: InputHold.Outcome, of hold: InputHold, to request: ForwardedRequest) {
        switch outcome {
        case .answered(let message):
            upstream(hold.upstream, answered: request, with: message)
        case .reply(let bytes):
            guard case .single(let message)? = try? scanner.scan(bytes), let idRange = message.envelope.idRange else { return }
            let code = message.envelope.errorCode ?? JSONRPCErrorCode.internalError.rawValue
            complete(request, outcome: message.envelope.kind == .errorResponse ? .error(code: code) : .success, now: MonotonicClock.now())
            reply(message.splicing(idRange, with: request.clientIDBytes), request.reply)
        }
    }
}

extension ForwardedRequest {
    /// The same request, answered through `reply`.
    func rerouted(to reply: ReplyRoute) -> ForwardedRequest {
        ForwardedRequest(owner: owner, clientIDBytes: clientIDBytes, clientID: clientID, clientProgressToken: clientProgressToken, reply: reply,
                         method: method, context: context, startedAt: startedAt, deadline: deadline, rewritesURIs: rewritesURIs,
                         lease: lease, replay: nil)
    }
}

extension ProxySession {
    /// The log level that the one request of this 2026-07-28 client in flight at `upstream` asked
    /// for; nil when it asked for none, or when not exactly one request is in flight there.
    func modernLogLevel(at upstream: UpstreamConnection) -> LogSeverity? {
        guard let clientID = relatedClientRequest(at: upstream),
              let upstreamID = state.withLockedValue({ $0.inflight[clientID]?.id }),
              let call = upstream.forwardedRequest(upstreamID), case .modern(_, _, let level) = call.reply else { return nil }
        return level
    }
}

extension ProxySession {
    /// A 2026-07-28 client cancels by closing its stream: when it goes away, every call it left
    /// in flight is cancelled upstream at once instead of being drained (held calls stay, for a
    /// retry on another connection).
    func cancelAbandonedCalls() {
        let abandoned = state.withLockedValue { state -> [(connection: UpstreamConnection, id: Int64)] in
            defer { state.inflight.removeAll() }
            return Array(state.inflight.values)
        }
        let now = MonotonicClock.now()
        for target in abandoned {
            guard let request = target.connection.abandon(target.id) else { continue }
            complete(request, outcome: .cancelled, now: now)
            target.connection.send(Self.cancellation(of: target.id, reason: "the client closed its stream"))
        }
    }
}
