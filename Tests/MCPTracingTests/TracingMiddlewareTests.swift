import InMemoryTracing
import JSONRPC
import NIOCore
import MCPTracing
import Testing
import Tracing

private struct StageContext: PrincipalContext, RoutedContext, AttachmentContext {
    var principal: Principal
    var upstreamName: String?
    var attachments = MCPAttachments()
}

/// ``TracingMiddleware`` alone, with swift-distributed-tracing's in-memory tracer.
@Suite struct TracingMiddlewareTests {
    private func call(_ text: String) throws -> MCPCall {
        let message = try JSONRPCScanner().scanMessage(ByteBuffer(string: text))
        return MCPCall(message: message, method: message.envelope.method ?? .other("?"), idBytes: Array("1".utf8), receivedAt: 0)
    }

    @Test func aForwardedRequestGetsAServerAndAnUpstreamSpanEndedWhenItFinishes() throws {
        let tracer = InMemoryTracer()
        let stage = TracingMiddleware<StageContext>(tracer: tracer)
        var call = try call(#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"alpha__echo","_meta":{"in-memory-trace-id":"T1","in-memory-span-id":"S1"}}}"#)
        var context = StageContext(principal: Principal(subject: "ann", method: .apiKey), upstreamName: "alpha")
        var seen: StageContext?
        let verdict = stage.handle(&call, context: &context) { _, context in
            seen = context
            return .forwarded
        }
        guard case .forwarded = verdict else { Issue.record("\(verdict)"); return }
        #expect(tracer.finishedSpans.isEmpty, "spans of a forwarded request end when it finishes")
        #expect(tracer.activeSpans.count == 2)

        // The upstream span's context goes into the forwarded bytes.
        let forwarded = String(buffer: call.message.splicing(call.splices))
        let upstreamSpan = try #require(tracer.activeSpans.first { $0.operationName == "upstream alpha" })
        let serverSpan = try #require(tracer.activeSpans.first { $0.operationName == "tools/call alpha__echo" })
        #expect(forwarded.contains(#""in-memory-span-id":"\#(upstreamSpan.spanContext.spanID)""#), "\(forwarded)")
        #expect(upstreamSpan.spanContext.traceID == "T1", "the client's trace continues")
        #expect(serverSpan.spanContext.parentSpanID == "S1")
        #expect(upstreamSpan.spanContext.parentSpanID == serverSpan.spanContext.spanID)

        stage.finished(MCPCallSummary(method: .toolsCall, receivedAt: 0, latencyNanoseconds: 5), context: try #require(seen), outcome: .error(code: -32603))
        let finished = tracer.finishedSpans
        #expect(finished.count == 2)
        #expect(finished.allSatisfy { $0.status?.code == .error })
        #expect(finished.first { $0.operationName == "tools/call alpha__echo" }?.attributes["enduser.id"]?.toSpanAttribute() == "ann")
    }

    @Test func aRefusedRequestEndsItsSpansWithTheReason() throws {
        let tracer = InMemoryTracer()
        let stage = TracingMiddleware<StageContext>(tracer: tracer)
        var call = try call(#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x"}}"#)
        var context = StageContext(principal: .anonymous, upstreamName: "alpha")
        let refusal = MCPRefusal(code: JSONRPCErrorCode(rawValue: -32003), message: "no", reason: "denied")
        _ = stage.handle(&call, context: &context) { _, _ in .refused(refusal) }
        #expect(tracer.activeSpans.isEmpty)
        #expect(tracer.finishedSpans.count == 2)
        #expect(tracer.finishedSpans.allSatisfy { $0.status?.code == .error })
    }

    @Test func aLocallyAnsweredRequestHasOnlyAServerSpan() throws {
        let tracer = InMemoryTracer()
        let stage = TracingMiddleware<StageContext>(tracer: tracer)
        var call = try call(#"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#)
        var context = StageContext(principal: .anonymous, upstreamName: nil)
        _ = stage.handle(&call, context: &context) { _, _ in .answered }
        #expect(call.splices.isEmpty, "nothing goes upstream, nothing is injected")
        #expect(tracer.finishedSpans.map(\.operationName) == ["tools/list"])
    }
}
