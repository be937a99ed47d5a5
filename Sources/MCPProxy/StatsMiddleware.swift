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
        switch outcome {
        case .success, .cancelled: return
        default: Self.recordFailure(outcome, series: target.series, latencyNanoseconds: summary.latencyNanoseconds)
        }
    }

    /// Keeps a failure in the registry's recent errors (the status page); off the success path.
    @inline(never)
    static func recordFailure(_ outcome: MCPOutcome, series: RequestSeries, latencyNanoseconds: UInt64) {
        let (label, code, message): (String, Int?, String)
        switch outcome {
        case .success, .cancelled:
            return
        case .error(let value):
            label = "error"
            code = value
            message = "answered with error \(value)" + (errorNames[value].map { " (\($0))" } ?? "")
        case .refused(let reason):
            label = "refused"
            code = JSONRPCErrorCode.invalidRequest.rawValue
            message = "refused by a pipeline stage: \(reason)"
        case .timeout:
            label = "timeout"
            code = JSONRPCErrorCode.requestTimeout.rawValue
            message = "no answer before the request's deadline"
        case .upstreamUnavailable:
            label = "upstream_unavailable"
            code = nil
            message = "the upstream was unavailable or failed before answering"
        }
        series.recordFailure(outcome: label, code: code, message: message, latencyNanoseconds: latencyNanoseconds)
    }

    private static let errorNames: [Int: String] = [
        -32700: "parse error", -32600: "invalid request", -32601: "method not found", -32602: "invalid params",
        -32603: "internal error", -32000: "connection closed", -32001: "request timeout", -32002: "resource not found",
        -32042: "URL elicitation required",
    ]
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
