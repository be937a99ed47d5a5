import JSONRPC
import MCPReliability
import MCPStats
import NIOCore

/// A routed request through the pipeline: the user's stages, then the terminal.
extension ProxySession {
    /// Runs a routed request through the pipeline; the terminal answers it locally or forwards it.
    func runPipeline(_ message: JSONRPCMessage, id: [UInt8], route: ReplyRoute, target: RouteTarget, edits: UpstreamEdits = .none,
                     exposedName: String? = nil) {
        guard let method = message.envelope.method else { return }
        var call = MCPCall(message: message, method: method, idBytes: id, receivedAt: MonotonicClock.now())
        if let exposedName { call.exposedName = exposedName }
        var context = ProxyRequestContext(principal: principal, target: target, session: pipeline == nil ? "" : downstream.name)
        let verdict: MCPVerdict
        if let pipeline {
            verdict = pipeline.handle(&call, context: &context) { call, context in
                self.terminal(call, context: context, route: route, edits: edits)
            }
        } else {
            verdict = terminal(call, context: context, route: route, edits: edits)
        }
        if case .refused(let refusal) = verdict {
            stats.counter("mcp_proxy_refused_total", help: "Client requests a pipeline stage refused, by reason",
                          labels: ["reason": refusal.reason]).increment()
            if let hint = refusal.httpHint, route.isDirect {
                counters.errorsSent.increment()
                downstream.sendRefusal(JSONRPCEncoder.errorResponse(idBytes: id, code: refusal.code, message: refusal.message, data: refusal.data), hint: hint)
            } else {
                replyError(route, id: id, code: refusal.code, message: refusal.message, data: refusal.data)
            }
        }
    }

    /// The end of the chain: answer locally, or forward upstream (after a gate that wants
    /// requests answered here, when one is configured: Governance/SessionLocalGate.swift).
    private func terminal(_ call: MCPCall, context: ProxyRequestContext, route: ReplyRoute, edits: UpstreamEdits) -> MCPVerdict {
        if let gate = options.callGate, Self.answersHere(context.target, edits), gate.appliesToLocalAnswers(call.method) {
            gateLocalAnswer(call, gate: gate, context: context, route: route) {
                self.answer(call, context: context, route: route, edits: edits)
            }
            return .forwarded
        }
        return answer(call, context: context, route: route, edits: edits)
    }

    /// Answers locally, or forwards upstream.
    private func answer(_ call: MCPCall, context: ProxyRequestContext, route: ReplyRoute, edits: UpstreamEdits) -> MCPVerdict {
        let message = call.message
        let id = call.idBytes
        switch context.target {
        case .local(.initialize):
            beginInitialize(message, id: id, route: route)
        case .local(.ping):
            replyResult(route, id: id, result: Array("{}".utf8))
        case .local(.list(let kind)):
            let principal = context.principal
            runTask { await self.handleList(kind, message: message, id: id, route: route, principal: principal) }
        case .local(.setLevel):
            runTask { await self.handleSetLevel(message, id: id, route: route) }
        case .upstream(let target):
            if let (uri, subscribe) = edits.subscription, services[target.index].speaksModernEra {
                subscribeAtModernUpstream(uri, upstream: target.index, subscribe: subscribe, id: id, route: route)  // SessionModernSubscribe.swift
                return .answered
            }
            if let (uri, subscribe) = edits.subscription, !trackSubscription(uri, subscribe: subscribe, target: target, message: message) {
                // Another client of the shared upstream session holds the subscription upstream.
                replyResult(route, id: id, result: Array("{}".utf8))
                return .answered
            }
            let allEdits = call.splices.isEmpty ? edits.edits : edits.edits + call.splices
            if isGoverned {
                // An external policy hook or result guards (Governance/SessionGovernance.swift).
                governAndForward(call, target: target, edits: allEdits, context: context, route: route)
                return .forwarded
            }
            forward(message, target: target, edits: allEdits, context: context, id: id, route: route)
            return .forwarded
        }
        return .answered
    }

    /// Records a client's subscribe or unsubscribe; false when it must not go upstream (a shared
    /// upstream session already has the subscription for another client, or still needs it).
    private func trackSubscription(_ uri: String, subscribe: Bool, target: UpstreamRoute, message: JSONRPCMessage) -> Bool {
        let changed = state.withLockedValue { state -> Bool in
            if subscribe {
                state.subscriptions[uri, default: 0] += 1
                return state.subscriptions[uri] == 1
            }
            guard let count = state.subscriptions[uri] else { return false }
            state.subscriptions[uri] = count > 1 ? count - 1 : nil
            return count == 1
        }
        let service = services[target.index]
        guard service.isShared else { return true }
        guard changed else { return false }
        let upstreamURI = catalog.resourceTarget(for: uri)?.uri ?? uri
        return subscribe ? service.subscribe(upstreamURI, session: self) : service.unsubscribe(upstreamURI, session: self)
    }

    /// Routes a request to upstream `index` with `edits` applied, through the pipeline.
    func routeToUpstream(
        _ message: JSONRPCMessage, id: [UInt8], route: ReplyRoute, index: Int, edits: [ByteSplice],
        series: RequestSeries?, rewritesURIs: Bool = false, subscription: (uri: String, subscribe: Bool)? = nil,
        tool: String? = nil, repeatable: Bool? = nil, exposedName: String? = nil
    ) {
        let upstream = services[index]
        let method = message.envelope.method
        let target = UpstreamRoute(
            index: index, name: upstream.name,
            series: series ?? stats.requestSeries(upstream: upstream.name, method: method?.name ?? "?", tool: nil),
            rewritesURIs: rewritesURIs, tool: tool,
            repeatable: repeatable ?? method.map { RetrySafety.isSafeToRepeat(method: $0.name) } ?? false)
        runPipeline(message, id: id, route: route, target: .upstream(target), edits: UpstreamEdits(edits: edits, subscription: subscription),
                    exposedName: exposedName)
    }
}
