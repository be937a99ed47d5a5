import JSONRPC
import MCPStats
import NIOCore

/// A routed request through the pipeline: the user's stages, then the terminal.
extension ProxySession {
    /// Runs a routed request through the pipeline; the terminal answers it locally or forwards it.
    func runPipeline(_ message: JSONRPCMessage, id: [UInt8], route: ReplyRoute, target: RouteTarget, edits: UpstreamEdits = .none) {
        guard let method = message.envelope.method else { return }
        var call = MCPCall(message: message, method: method, idBytes: id, receivedAt: MonotonicClock.now())
        var context = ProxyRequestContext(principal: principal, target: target)
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
            if let hint = refusal.httpHint, case .direct = route {
                counters.errorsSent.increment()
                downstream.sendRefusal(JSONRPCEncoder.errorResponse(idBytes: id, code: refusal.code, message: refusal.message, data: refusal.data), hint: hint)
            } else {
                replyError(route, id: id, code: refusal.code, message: refusal.message, data: refusal.data)
            }
        }
    }

    /// The end of the chain: answer locally, or forward upstream.
    private func terminal(_ call: MCPCall, context: ProxyRequestContext, route: ReplyRoute, edits: UpstreamEdits) -> MCPVerdict {
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
            if let (uri, subscribe) = edits.subscription {
                state.withLockedValue { state in
                    if subscribe {
                        state.subscriptions[uri, default: 0] += 1
                    } else if let count = state.subscriptions[uri] {
                        state.subscriptions[uri] = count > 1 ? count - 1 : nil
                    }
                }
            }
            forward(message, target: target, edits: call.splices.isEmpty ? edits.edits : edits.edits + call.splices, context: context, id: id, route: route)
            return .forwarded
        }
        return .answered
    }

    /// Routes a request to upstream `index` with `edits` applied, through the pipeline.
    func routeToUpstream(
        _ message: JSONRPCMessage, id: [UInt8], route: ReplyRoute, index: Int, edits: [ByteSplice],
        series: RequestSeries?, rewritesURIs: Bool = false, subscription: (uri: String, subscribe: Bool)? = nil
    ) {
        let upstream = upstreams[index]
        let target = UpstreamRoute(
            index: index, name: upstream.name,
            series: series ?? stats.requestSeries(upstream: upstream.name, method: message.envelope.method?.name ?? "?", tool: nil),
            rewritesURIs: rewritesURIs)
        runPipeline(message, id: id, route: route, target: .upstream(target), edits: UpstreamEdits(edits: edits, subscription: subscription))
    }
}
