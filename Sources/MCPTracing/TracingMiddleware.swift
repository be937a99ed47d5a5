import JSONRPC
import Tracing

/// The pipeline stage that traces requests through swift-distributed-tracing.
///
/// For each client request it continues the trace the client sent in `params._meta` (W3C
/// `traceparent`/`tracestate` with an OpenTelemetry tracer; whatever keys the tracer's
/// propagator reads), starts a server span `<method> <name>`, and, for requests routed upstream,
/// a child client span `upstream <name>` (for sampled requests) whose context it writes into the
/// forwarded request's `params._meta` (the HTTP upstream transport also sends it as headers). Both spans end when
/// the request does (``finished(_:context:outcome:)``), with an error status for errors,
/// timeouts, refusals and unavailable upstreams.
///
/// Put it first in the pipeline so that refusals by later stages are traced too. With the no-op
/// tracer it is not installed at all (``MCPTracing/isActive(_:)``).
public struct TracingMiddleware<Context: PrincipalContext & RoutedContext & AttachmentContext>: MCPMiddleware {
    /// Where spans go.
    public let tracer: any Tracer

    /// Creates the stage.
    public init(tracer: any Tracer) {
        self.tracer = tracer
    }

    /// The spans of one request, from `handle` to `finished`.
    struct Spans: @unchecked Sendable {
        // @unchecked: spans are reference types the tracer makes thread-safe (the protocol asks
        // for Sendable on the concrete types we do not know statically).
        let server: any Span
        let upstream: (any Span)?
    }

    public func handle(
        _ call: inout MCPCall,
        context: inout Context,
        next: (inout MCPCall, inout Context) -> MCPVerdict
    ) -> MCPVerdict {
        var parent = InstrumentationContext.topLevel
        let carrier = MetaCarrier(call.message)
        if !carrier.values.isEmpty {
            tracer.extract(carrier, into: &parent, using: MetaExtractor())
        }
        let method = call.method.name
        let name = call.name ?? call.uri
        let server = tracer.startSpan(name.map { "\(method) \($0)" } ?? method, context: parent, ofKind: .server)
        let recording = server.isRecording
        if recording {
            server.attributes["mcp.method.name"] = method
            if let name { server.attributes["mcp.request.name"] = name }
            server.attributes["enduser.id"] = context.principal.subject
        }
        var upstream: (any Span)?
        if let target = context.upstreamName {
            // An unsampled request gets no child span: the upstream continues the server span's
            // (unsampled) context, which is all propagation needs, for one span less per request.
            var propagated = server.context
            if recording {
                server.attributes["mcp.upstream"] = target
                let span = tracer.startSpan("upstream \(target)", context: server.context, ofKind: .client)
                span.attributes["mcp.upstream"] = target
                span.attributes["mcp.method.name"] = method
                propagated = span.context
                upstream = span
            }
            var injected: [String: String] = [:]
            tracer.inject(propagated, into: &injected, using: DictionaryInjector())
            call.splices += MetaInjection.splices(injected, into: call.message)
        }
        context.attachments[Spans.self] = Spans(server: server, upstream: upstream)
        let verdict = next(&call, &context)
        switch verdict {
        case .forwarded:
            break  // finished ends the spans
        case .answered:
            upstream?.end()
            server.end()
        case .refused(let refusal):
            for span in [upstream, server].compactMap({ $0 }) {
                if recording { span.attributes["mcp.refusal.reason"] = refusal.reason }
                span.setStatus(SpanStatus(code: .error, message: refusal.message))
                span.end()
            }
        }
        return verdict
    }

    public func finished(_ summary: MCPCallSummary, context: Context, outcome: MCPOutcome) {
        guard let spans = context.attachments[Spans.self] else { return }
        let status: SpanStatus? = switch outcome {
        case .success: nil
        case .error(let code): SpanStatus(code: .error, message: "JSON-RPC error \(code)")
        case .timeout: SpanStatus(code: .error, message: "timed out")
        case .cancelled: SpanStatus(code: .error, message: "cancelled")
        case .upstreamUnavailable: SpanStatus(code: .error, message: "upstream unavailable")
        case .refused(let reason): SpanStatus(code: .error, message: "refused: \(reason)")
        }
        for span in [spans.upstream, spans.server].compactMap({ $0 }) {
            if let status { span.setStatus(status) }
            span.end()
        }
    }

    public var observesCompletion: Bool { true }
}

/// Whether tracing is on in this process.
public enum MCPTracing {
    /// True when `tracer` records something (not the no-op tracer).
    public static func isActive(_ tracer: any Tracer) -> Bool {
        !(tracer is NoOpTracer)
    }
}
