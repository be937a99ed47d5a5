import JSONRPC
import Logging
import MCPProxy

/// A user's own pipeline stage: an audit log of tool calls with the principal who made them.
///
/// It passes every request on, and writes one line when a `tools/call` ends (in `finished`), with
/// the outcome and latency. Refused calls are logged as they are refused.
struct AuditLog: MCPMiddleware {
    let logger: Logger

    var observesCompletion: Bool { true }

    func handle(
        _ call: inout MCPCall,
        context: inout ProxyRequestContext,
        next: (inout MCPCall, inout ProxyRequestContext) -> MCPVerdict
    ) -> MCPVerdict {
        let verdict = next(&call, &context)
        if call.method == .toolsCall, case .refused(let refusal) = verdict {
            logger.notice("audit: \(context.principal.subject) tools/call \(call.name ?? "?") refused: \(refusal.reason)")
        }
        return verdict
    }

    func finished(_ summary: MCPCallSummary, context: ProxyRequestContext, outcome: MCPOutcome) {
        guard summary.method == .toolsCall else { return }
        let micros = summary.latencyNanoseconds / 1_000
        logger.notice("audit: \(context.principal.subject) tools/call via \(context.upstreamName ?? "?") \(outcome) in \(micros) µs")
    }
}
