import JSONRPC
import NIOConcurrencyHelpers
import NIOCore

/// The terminal's asynchronous steps around a forwarded request: an ``AsyncCallGate`` before it
/// goes upstream, a ``ResultGuard`` on its result before the client gets it. The terminal calls
/// in here only when ``ProxyOptions/callGate`` or ``ProxyOptions/resultGuard`` is set.
extension ProxySession {
    /// Whether the terminal must call ``governAndForward(_:target:edits:context:route:)``
    /// instead of forwarding at once: two loads, no allocation.
    var isGoverned: Bool { options.callGate != nil || options.resultGuard != nil }

    /// Asks the gate (when it applies) and forwards, rewrites or refuses; remembers what the
    /// result guard needs (when it applies) in the request's attachments.
    func governAndForward(_ call: MCPCall, target: UpstreamRoute, edits: [ByteSplice], context: ProxyRequestContext, route: ReplyRoute) {
        // Subscriptions are counted before the terminal gets here (a shared upstream session
        // subscribes once for all its clients), so they are not put to the gate.
        let subscription = call.method == .resourcesSubscribe || call.method == .resourcesUnsubscribe
        let gate = subscription ? nil : options.callGate.flatMap { $0.applies(to: call.method) ? $0 : nil }
        let guarded = options.resultGuard?.applies(to: call.method) ?? false
        guard gate != nil || guarded else {
            forward(call.message, target: target, edits: edits, context: context, id: call.idBytes, route: route)
            return
        }
        var governedContext = context
        let request = governedCall(call, target: target)
        if guarded { governedContext.attachments[GovernedCall.self] = request }
        guard let gate else {
            forward(call.message, target: target, edits: edits, context: governedContext, id: call.idBytes, route: route)
            return
        }
        let message = call.message
        let decision = NIOLockedValueBox<CallGateDecision?>(nil)
        routeLater(message, route: route) {
            let answer = await gate.admit(request)
            decision.withLockedValue { $0 = answer }
        } then: { [governedContext] in
            var context = governedContext
            switch decision.withLockedValue({ $0 }) ?? .allow(note: nil) {
            case .allow(let note):
                context.attachments.addGovernanceNote(note)
                self.forward(message, target: target, edits: edits, context: context, id: call.idBytes, route: route, receivedAt: call.receivedAt)
            case .rewrite(let arguments, let note):
                context.attachments.addGovernanceNote(note)
                guard let splice = Self.argumentsSplice(in: message, arguments: arguments) else {
                    self.refuseGoverned(MCPRefusal(code: .internalError, message: "The policy hook rewrote the arguments, but the request has no params object to put them in",
                                                   reason: "policyHookError"), call: call, context: context, route: route)
                    return
                }
                if guarded {
                    var rewritten = request
                    rewritten.arguments = arguments
                    context.attachments[GovernedCall.self] = rewritten
                }
                self.forward(message, target: target, edits: edits + [splice], context: context, id: call.idBytes, route: route, receivedAt: call.receivedAt)
            case .deny(let refusal, let note):
                context.attachments.addGovernanceNote(note)
                self.refuseGoverned(refusal, call: call, context: context, route: route)
            }
        } cancelled: { [governedContext] in
            let now = MonotonicClock.now()
            self.finished(MCPCallSummary(method: call.method, receivedAt: call.receivedAt, latencyNanoseconds: now &- call.receivedAt),
                          context: governedContext, outcome: .cancelled)
        }
    }

    /// The request as the gate and the guards see it.
    private func governedCall(_ call: MCPCall, target: UpstreamRoute) -> GovernedCall {
        var arguments: [UInt8]?
        if let params = call.message.envelope.paramsRange, let value = JSONView(message: call.message, range: params)["arguments"] {
            arguments = value.rawBytes
        }
        return GovernedCall(method: call.method.name, name: call.name ?? call.uri, tool: target.tool, upstream: target.name,
                            arguments: arguments, principal: principal, session: downstream.name, endpoint: endpoint?.path)
    }

    /// The edit that puts `arguments` in place of `params.arguments` (or adds it).
    static func argumentsSplice(in message: JSONRPCMessage, arguments: [UInt8]) -> ByteSplice? {
        guard let params = message.envelope.paramsRange else { return nil }
        let view = JSONView(message: message, range: params)
        guard view.kind == .object else { return nil }
        if let existing = view["arguments"] {
            return ByteSplice(range: existing.range, replacement: arguments)
        }
        // No arguments yet: insert the member right after the opening brace.
        var member: [UInt8] = Array(#""arguments":"#.utf8) + arguments
        if !view.members.isEmpty { member.append(UInt8(ascii: ",")) }
        let brace = params.lowerBound + 1
        return ByteSplice(range: brace..<brace, replacement: member)
    }

    /// Answers a request a gate refused (or could not forward): counted like the pipeline's
    /// refusals, and the stages learn it ended refused.
    func refuseGoverned(_ refusal: MCPRefusal, call: MCPCall, context: ProxyRequestContext, route: ReplyRoute) {
        countRefusal(refusal)
        let now = MonotonicClock.now()
        // The refusal itself, so the access log writes its code as for a pipeline stage's refusal.
        var context = context
        context.attachments[MCPRefusal.self] = refusal
        finished(MCPCallSummary(method: call.method, receivedAt: call.receivedAt, latencyNanoseconds: now &- call.receivedAt),
                 context: context, outcome: .refused(reason: refusal.reason))
        replyError(route, id: call.idBytes, code: refusal.code, message: refusal.message, data: refusal.data)
    }

    /// `mcp_proxy_refused_total{reason}`, as for the pipeline's refusals.
    func countRefusal(_ refusal: MCPRefusal) {
        stats.counter("mcp_proxy_refused_total", help: "Client requests a pipeline stage refused, by reason",
                      labels: ["reason": refusal.reason]).increment()
    }

    // MARK: Results

    /// Hands a successful answer's `result` (raw JSON, as the scanner found it) to the result
    /// guard and sends the client what it decides: on this thread when the guard can decide at
    /// once (size limit, redaction), else in a task (a policy hook's response phase). The request
    /// ends (stages learn its outcome) once the decision is made.
    func guardAnswer(_ answer: ByteBuffer, result: [UInt8]?, request: ForwardedRequest, guard resultGuard: any ResultGuard, call: GovernedCall) {
        guard let result else {
            relayGuarded(answer, request: request, note: nil)
            return
        }
        if let decision = resultGuard.inspectImmediately(result, of: call) {
            apply(decision, to: answer, request: request)
            return
        }
        runTask {
            self.apply(await resultGuard.inspect(result, of: call), to: answer, request: request)
        }
    }

    private func apply(_ decision: ResultDecision, to answer: ByteBuffer, request: ForwardedRequest) {
        switch decision {
        case .pass(let note):
            relayGuarded(answer, request: request, note: note)
        case .replace(let replacement, let note):
            relayGuarded(JSONRPCEncoder.result(idBytes: request.clientIDBytes, result: replacement), request: request, note: note)
        case .refuse(let refusal, let note):
            var context = request.context
            context.attachments.addGovernanceNote(note)
            countRefusal(refusal)
            complete(request, outcome: .refused(reason: refusal.reason), now: MonotonicClock.now(), context: context)
            replyError(request.reply, id: request.clientIDBytes, code: refusal.code, message: refusal.message, data: refusal.data)
        }
    }

    private func relayGuarded(_ answer: ByteBuffer, request: ForwardedRequest, note: String?) {
        var context = request.context
        context.attachments.addGovernanceNote(note)
        complete(request, outcome: .success, now: MonotonicClock.now(), responseBytes: answer.readableBytes, context: context)
        reply(answer, request.reply)
    }
}
