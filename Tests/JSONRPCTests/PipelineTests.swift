import JSONRPC
import NIOCore
import NIOConcurrencyHelpers
import Testing

/// A context for pipeline tests: who calls, and a trace of the stages that ran.
struct TraceContext: PrincipalContext {
    var principal: Principal
    var trace: [String] = []
}

/// Appends its name on the way in, refuses when told, and records outcomes it learns.
struct TracingStage: MCPMiddleware {
    let name: String
    var refuses = false
    let outcomes = NIOLockedValueBox<[String]>([])

    var observesCompletion: Bool { true }

    func handle(_ call: inout MCPCall, context: inout TraceContext, next: (inout MCPCall, inout TraceContext) -> MCPVerdict) -> MCPVerdict {
        context.trace.append(name)
        if refuses {
            return .refused(MCPRefusal(code: .invalidRequest, message: "\(name) says no", reason: "test"))
        }
        let verdict = next(&call, &context)
        context.trace.append("/" + name)
        return verdict
    }

    func finished(_ summary: MCPCallSummary, context: TraceContext, outcome: MCPOutcome) {
        outcomes.withLockedValue { $0.append("\(name):\(outcome)") }
    }
}

/// A stage that does not observe completion.
struct SilentStage: MCPMiddleware {
    func handle(_ call: inout MCPCall, context: inout TraceContext, next: (inout MCPCall, inout TraceContext) -> MCPVerdict) -> MCPVerdict {
        context.trace.append("silent")
        return next(&call, &context)
    }
}

@Suite("Request pipeline")
struct PipelineTests {
    static func call() throws -> MCPCall {
        let bytes = ByteBuffer(string: #"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"alpha__echo"}}"#)
        let message = try JSONRPCScanner().scanMessage(bytes)
        return MCPCall(message: message, method: .toolsCall, idBytes: Array("1".utf8), receivedAt: 0)
    }

    static func run<M: MCPMiddleware>(_ chain: M) throws -> (MCPVerdict, [String]) where M.Context == TraceContext {
        var call = try call()
        var context = TraceContext(principal: .anonymous)
        let verdict = chain.handle(&call, context: &context) { _, context in
            context.trace.append("terminal")
            return .forwarded
        }
        return (verdict, context.trace)
    }

    @Test("stages run in order around the terminal")
    func order() throws {
        @MCPPipelineBuilder<TraceContext> var chain: some MCPMiddleware<TraceContext> {
            TracingStage(name: "a")
            TracingStage(name: "b")
            SilentStage()
        }
        let (verdict, trace) = try Self.run(chain)
        #expect(trace == ["a", "b", "silent", "terminal", "/b", "/a"])
        guard case .forwarded = verdict else { Issue.record("expected forwarded, got \(verdict)"); return }
    }

    @Test("a refusal stops the chain before the terminal")
    func refusal() throws {
        @MCPPipelineBuilder<TraceContext> var chain: some MCPMiddleware<TraceContext> {
            TracingStage(name: "a")
            TracingStage(name: "b", refuses: true)
            TracingStage(name: "c")
        }
        let (verdict, trace) = try Self.run(chain)
        #expect(trace == ["a", "b", "/a"])
        guard case .refused(let refusal) = verdict else { Issue.record("expected a refusal, got \(verdict)"); return }
        #expect(refusal.message == "b says no")
        #expect(refusal.reason == "test")
    }

    @Test("optional and either stages", arguments: [true, false])
    func conditional(enabled: Bool) throws {
        @MCPPipelineBuilder<TraceContext> var chain: some MCPMiddleware<TraceContext> {
            if enabled { TracingStage(name: "opt") }
            if enabled { TracingStage(name: "yes") } else { SilentStage() }
        }
        let (_, trace) = try Self.run(chain)
        #expect(trace == (enabled ? ["opt", "yes", "terminal", "/yes", "/opt"] : ["silent", "terminal"]))
    }

    @Test("finished reaches every observing stage, and a chain of silent stages does not observe")
    func finished() throws {
        let first = TracingStage(name: "a")
        let second = TracingStage(name: "b")
        let chain = MiddlewarePair(MiddlewarePair(first, SilentStage()), second)
        #expect(chain.observesCompletion)
        chain.finished(MCPCallSummary(method: .toolsCall, receivedAt: 0, latencyNanoseconds: 5), context: TraceContext(principal: .anonymous), outcome: .timeout)
        #expect(first.outcomes.withLockedValue { $0 } == ["a:timeout"])
        #expect(second.outcomes.withLockedValue { $0 } == ["b:timeout"])
        #expect(!MiddlewarePair(SilentStage(), PassThroughMiddleware<TraceContext>()).observesCompletion)
    }

    @Test("an empty builder block passes everything through")
    func empty() throws {
        @MCPPipelineBuilder<TraceContext> var chain: some MCPMiddleware<TraceContext> {}
        let (_, trace) = try Self.run(chain)
        #expect(trace == ["terminal"])
    }
}
