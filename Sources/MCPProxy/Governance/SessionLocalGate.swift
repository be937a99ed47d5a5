import JSONRPC
import NIOConcurrencyHelpers

/// Requests the proxy answers without forwarding them (lists, `logging/setLevel`, `ping`,
/// `initialize`, subscriptions), put to a gate that wants them
/// (``AsyncCallGate/appliesToLocalAnswers(_:)``): a rate limit shared by replicas counts them
/// as its in-memory pipeline stage does. Without such a gate the terminal answers at once.
extension ProxySession {
    /// Whether the terminal answers this request without forwarding it, or (a subscription) may.
    static func answersHere(_ target: RouteTarget, _ edits: UpstreamEdits) -> Bool {
        if case .local = target { return true }
        return edits.subscription != nil
    }

    /// Asks `gate` in a task (the request stays cancellable meanwhile), then runs `answer` or
    /// refuses. A local answer is reported finished (the access log's line, with
    /// `include: all`) once it is sent; a forwarded subscription when its answer arrives, as always.
    func gateLocalAnswer(_ call: MCPCall, gate: any AsyncCallGate, context: ProxyRequestContext, route: ReplyRoute,
                         answer: @escaping @Sendable () -> MCPVerdict) {
        var upstream = ""
        if case .upstream(let target) = context.target { upstream = target.name }
        let request = GovernedCall(method: call.method.name, name: call.name ?? call.uri, tool: nil, upstream: upstream, arguments: nil,
                                   principal: principal, session: downstream.name, endpoint: endpoint?.path)
        let decision = NIOLockedValueBox<CallGateDecision?>(nil)
        routeLater(call.message, route: route) {
            let answer = await gate.admitLocalAnswer(request)
            decision.withLockedValue { $0 = answer }
        } then: {
            if case .deny(let refusal, let note) = decision.withLockedValue({ $0 }) ?? .allow(note: nil) {
                var refused = context
                refused.attachments.addGovernanceNote(note)
                self.refuseGoverned(refusal, call: call, context: refused, route: route)
                return
            }
            if case .answered = answer(), case .local = context.target {
                let now = MonotonicClock.now()
                self.finished(MCPCallSummary(method: call.method, receivedAt: call.receivedAt, latencyNanoseconds: now &- call.receivedAt),
                              context: context, outcome: .success)
            }
        } cancelled: {
            let now = MonotonicClock.now()
            self.finished(MCPCallSummary(method: call.method, receivedAt: call.receivedAt, latencyNanoseconds: now &- call.receivedAt),
                          context: context, outcome: .cancelled)
        }
    }
}
