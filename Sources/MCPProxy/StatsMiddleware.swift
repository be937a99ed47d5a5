import JSONRPC
import MCPStats

/// The stage that counts every forwarded request's latency and outcome in its series
/// (per upstream, method and tool). ``MCPProxy`` runs it after the user's chain, called directly
/// (not through the existential chain), so a proxy without stages pays nothing for the pipeline.
struct StatsMiddleware: MCPMiddleware {
    typealias Context = ProxyRequestContext

    var observesCompletion: Bool { true }

    func handle(
        _ call: inout MCPCall,
        context: inout ProxyRequestContext,
        next: (inout MCPCall, inout ProxyRequestContext) -> MCPVerdict
    ) -> MCPVerdict {
        next(&call, &context)
    }

    func finished(_ summary: MCPCallSummary, context: ProxyRequestContext, outcome: MCPOutcome) {
        guard case .upstream(let target) = context.target else { return }
        target.series.record(latencyNanoseconds: summary.latencyNanoseconds, outcome: RequestOutcome(outcome))
    }
}

extension RequestOutcome {
    /// The stats outcome of a pipeline outcome (refusals are counted as errors of the refusal's
    /// code by the proxy's own refusal counter, not in a series).
    init(_ outcome: MCPOutcome) {
        switch outcome {
        case .success: self = .success
        case .error(let code): self = .error(code: code)
        case .refused: self = .error(code: JSONRPCErrorCode.invalidRequest.rawValue)
        case .timeout: self = .timeout
        case .upstreamUnavailable: self = .upstreamUnavailable
        case .cancelled: self = .cancelled
        }
    }
}
