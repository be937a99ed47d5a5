import InMemoryTracing
import JSONRPC
import MCPTracing
import NIOCore
import Synchronization
import Testing
import Tracing

private struct StageContext: PrincipalContext, RoutedContext, AttachmentContext {
    var principal: Principal
    var upstreamName: String?
    var attachments = MCPAttachments()
}

/// A span the sampler dropped: it records nothing but carries its context (the trace id and its
/// own span id) for propagation, as OpenTelemetry's non-recording spans do.
private final class UnsampledSpan: Span, Sendable {
    let context: InstrumentationContext
    let ended = Atomic<Bool>(false)
    var operationName: String {
        get { "" }
        set {}
    }
    var attributes: SpanAttributes {
        get { [:] }
        set { Issue.record("an unsampled span got attributes: \(newValue)") }
    }
    var isRecording: Bool { false }

    init(context: InstrumentationContext) { self.context = context }
    func setStatus(_ status: SpanStatus) {}
    func addEvent(_ event: SpanEvent) {}
    func recordError<Instant: TracerInstant>(_ error: any Error, attributes: SpanAttributes, at instant: @autoclosure () -> Instant) {}
    func addLink(_ link: SpanLink) {}
    func end<Instant: TracerInstant>(at instant: @autoclosure () -> Instant) { ended.store(true, ordering: .relaxed) }
}

/// A tracer whose sampler drops every trace; it propagates the in-memory tracer's keys.
private final class DroppingTracer: Tracer, Sendable {
    let ids = InMemoryTracer()
    let started = Mutex<[UnsampledSpan]>([])

    func startSpan<Instant: TracerInstant>(
        _ operationName: String, context: @autoclosure () -> InstrumentationContext, ofKind kind: SpanKind,
        at instant: @autoclosure () -> Instant, function: String, file fileID: String, line: UInt
    ) -> UnsampledSpan {
        // Borrow the in-memory tracer's ids (and parent handling), then drop the recording span.
        let recording = ids.startSpan(operationName, context: context(), ofKind: kind, at: instant(), function: function, file: fileID, line: line)
        let span = UnsampledSpan(context: recording.context)
        started.withLock { $0.append(span) }
        return span
    }

    func forceFlush() {}

    func inject<Carrier, Inject: Injector>(_ context: InstrumentationContext, into carrier: inout Carrier, using injector: Inject)
    where Carrier == Inject.Carrier {
        ids.inject(context, into: &carrier, using: injector)
    }

    func extract<Carrier, Extract: Extractor>(_ carrier: Carrier, into context: inout InstrumentationContext, using extractor: Extract)
    where Carrier == Extract.Carrier {
        ids.extract(carrier, into: &context, using: extractor)
    }
}

/// ``TracingMiddleware`` with a sampler that drops the trace: one span, no attributes, and the
/// context still goes upstream.
@Suite struct UnsampledTracingTests {
    @Test func anUnsampledRequestGetsOneSpanAndStillPropagates() throws {
        let tracer = DroppingTracer()
        let stage = TracingMiddleware<StageContext>(tracer: tracer)
        let message = try JSONRPCScanner().scanMessage(ByteBuffer(string: #"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"alpha__echo"}}"#))
        var call = MCPCall(message: message, method: .toolsCall, idBytes: Array("1".utf8), receivedAt: 0)
        var context = StageContext(principal: .anonymous, upstreamName: "alpha")
        var seen: StageContext?
        _ = stage.handle(&call, context: &context) { _, context in
            seen = context
            return .forwarded
        }
        let spans = tracer.started.withLock { $0 }
        #expect(spans.count == 1, "no child span for an unsampled request")
        let forwarded = String(buffer: call.message.splicing(call.splices))
        #expect(forwarded.contains(InMemoryTracer.spanIDKey), "the server span's context is propagated: \(forwarded)")
        stage.finished(MCPCallSummary(method: .toolsCall, receivedAt: 0, latencyNanoseconds: 1), context: try #require(seen), outcome: .success)
        #expect(spans.allSatisfy { $0.ended.load(ordering: .relaxed) })
    }
}
