import JSONRPC
import MCPProxy
import NIOConcurrencyHelpers
import Testing

/// A gate that answers one fixed decision for the methods it covers and records who asked.
private final class FixedGate: AsyncCallGate {
    let name: String
    let methods: Set<MCPMethod>
    let decision: CallGateDecision
    let log: NIOLockedValueBox<[String]>

    init(_ name: String, methods: Set<MCPMethod> = [.toolsCall], decision: CallGateDecision, log: NIOLockedValueBox<[String]>) {
        self.name = name
        self.methods = methods
        self.decision = decision
        self.log = log
    }

    func applies(to method: MCPMethod) -> Bool { methods.contains(method) }

    func admit(_ call: GovernedCall) async -> CallGateDecision {
        let arguments = call.arguments.map { String(decoding: $0, as: UTF8.self) } ?? "-"
        log.withLockedValue { $0.append("\(name):\(arguments)") }
        return decision
    }
}

private func call(_ method: String = "tools/call") -> GovernedCall {
    GovernedCall(method: method, name: "alpha__echo", tool: "echo", upstream: "alpha", arguments: Array(#"{"a":1}"#.utf8),
                 principal: Principal(subject: "alice", method: .apiKey), session: "s1", endpoint: nil)
}

private let refusal = MCPRefusal(code: .rateLimited, message: "Rate limit exceeded", reason: "rateLimited")

@Suite("CallGateChain")
struct CallGateChainTests {
    @Test("no gate combines to nil, one gate to itself")
    func combineKeepsTheNoGateCaseFree() {
        #expect(CallGateChain.combine([nil, nil]) == nil)
        let log = NIOLockedValueBox<[String]>([])
        let only = FixedGate("only", decision: .allow(note: nil), log: log)
        let combined = CallGateChain.combine([nil, only])
        #expect(combined is FixedGate)
        #expect(CallGateChain.combine([only, only]) is CallGateChain)
    }

    @Test("gates are asked in order and every note is kept")
    func order() async {
        let log = NIOLockedValueBox<[String]>([])
        let chain = CallGateChain([
            FixedGate("limit", decision: .allow(note: nil), log: log),
            FixedGate("hook", decision: .allow(note: "hook=allow"), log: log),
        ])
        let decision = await chain.admit(call())
        #expect(decision == .allow(note: "hook=allow"))
        #expect(log.withLockedValue { $0 } == [#"limit:{"a":1}"#, #"hook:{"a":1}"#])
    }

    @Test("a refusal ends the chain: later gates are not asked")
    func shortCircuit() async {
        let log = NIOLockedValueBox<[String]>([])
        let chain = CallGateChain([
            FixedGate("limit", decision: .deny(refusal, note: nil), log: log),
            FixedGate("hook", decision: .allow(note: "hook=allow"), log: log),
        ])
        #expect(await chain.admit(call()) == .deny(refusal, note: nil))
        #expect(log.withLockedValue { $0 } == [#"limit:{"a":1}"#])
    }

    @Test("a rewrite reaches the next gate and is the chain's answer")
    func rewritePassesOn() async {
        let log = NIOLockedValueBox<[String]>([])
        let chain = CallGateChain([
            FixedGate("hook", decision: .rewrite(arguments: Array(#"{"b":2}"#.utf8), note: "hook=rewrite"), log: log),
            FixedGate("after", decision: .allow(note: "after=allow"), log: log),
        ])
        #expect(await chain.admit(call()) == .rewrite(arguments: Array(#"{"b":2}"#.utf8), note: "hook=rewrite; after=allow"))
        #expect(log.withLockedValue { $0 } == [#"hook:{"a":1}"#, #"after:{"b":2}"#])
    }

    @Test("only the gates that apply to the method are asked")
    func appliesPerGate() async {
        let log = NIOLockedValueBox<[String]>([])
        let chain = CallGateChain([
            FixedGate("limit", methods: [.toolsCall, .resourcesRead], decision: .allow(note: nil), log: log),
            FixedGate("hook", methods: [.toolsCall], decision: .deny(refusal, note: "hook=deny"), log: log),
        ])
        #expect(chain.applies(to: .resourcesRead))
        #expect(!chain.applies(to: .promptsGet))
        #expect(await chain.admit(call("resources/read")) == .allow(note: nil))
        #expect(log.withLockedValue { $0 } == [#"limit:{"a":1}"#])
    }
}
