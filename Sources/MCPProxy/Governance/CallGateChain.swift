import JSONRPC

/// Several ``AsyncCallGate``s as one, asked in order: a shared rate limit first (a cheap
/// refusal), then an external policy hook, for example.
///
/// A request goes to the gates that apply to its method, one after the other; the first
/// refusal ends it (later gates are not asked). A gate that rewrites the arguments hands the
/// rewritten call to the next gate, and the chain's decision carries the last rewrite. The notes
/// of every gate that decided are joined with `; ` for the access log's `policy` field.
///
/// Build it with ``combine(_:)``: with no gate it gives nil (the terminal forwards at once, as
/// without governance), with one gate that gate itself (no chain in between).
public struct CallGateChain: AsyncCallGate {
    /// The gates, in the order they are asked.
    public let gates: [any AsyncCallGate]

    /// A chain of `gates`, asked in order.
    public init(_ gates: [any AsyncCallGate]) {
        self.gates = gates
    }

    /// `gates` (nil entries dropped) as one gate: nil when none is left, the gate itself when
    /// one is, a chain otherwise.
    public static func combine(_ gates: [(any AsyncCallGate)?]) -> (any AsyncCallGate)? {
        let present = gates.compactMap { $0 }
        switch present.count {
        case 0: return nil
        case 1: return present[0]
        default: return CallGateChain(present)
        }
    }

    /// Whether any gate applies to `method`.
    public func applies(to method: MCPMethod) -> Bool {
        for gate in gates where gate.applies(to: method) { return true }
        return false
    }

    /// Asks the gates that apply, in order, until one refuses.
    public func admit(_ call: GovernedCall) async -> CallGateDecision {
        await run(call) { gate, method in gate.applies(to: method) } ask: { gate, call in await gate.admit(call) }
    }

    /// Whether any gate wants requests of `method` that the proxy answers itself.
    public func appliesToLocalAnswers(_ method: MCPMethod) -> Bool {
        for gate in gates where gate.appliesToLocalAnswers(method) { return true }
        return false
    }

    /// Asks the gates that want requests the proxy answers itself, in order, until one refuses.
    public func admitLocalAnswer(_ call: GovernedCall) async -> CallGateDecision {
        await run(call) { gate, method in gate.appliesToLocalAnswers(method) } ask: { gate, call in await gate.admitLocalAnswer(call) }
    }

    private func run(
        _ call: GovernedCall, _ applies: (any AsyncCallGate, MCPMethod) -> Bool,
        ask: (any AsyncCallGate, GovernedCall) async -> CallGateDecision
    ) async -> CallGateDecision {
        let method = MCPMethod(name: call.method)
        var current = call
        var rewritten: [UInt8]?
        var notes: [String] = []
        for gate in gates where applies(gate, method) {
            switch await ask(gate, current) {
            case .allow(let note):
                if let note, !note.isEmpty { notes.append(note) }
            case .rewrite(let arguments, let note):
                if let note, !note.isEmpty { notes.append(note) }
                rewritten = arguments
                current.arguments = arguments
            case .deny(let refusal, let note):
                if let note, !note.isEmpty { notes.append(note) }
                return .deny(refusal, note: Self.joined(notes))
            }
        }
        if let rewritten { return .rewrite(arguments: rewritten, note: Self.joined(notes)) }
        return .allow(note: Self.joined(notes))
    }

    private static func joined(_ notes: [String]) -> String? {
        notes.isEmpty ? nil : notes.joined(separator: "; ")
    }
}
