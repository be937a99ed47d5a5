import JSONRPC
import MCPStats

/// The result guards of `proxy.guards`: a size limit and secret redaction on `tools/call`
/// results. Each redaction is counted by kind (`mcp_proxy_redactions_total{kind}`), each
/// oversized result too (`mcp_proxy_guard_refused_total{guard="maxResultBytes"}`).
public struct ResultGuards: Sendable {
    /// Results larger than this many bytes become an error; nil: no limit.
    public let maxResultBytes: Int?
    /// What is redacted; nil: nothing.
    public let redactor: SecretRedactor?
    private let redactions: [String: Counter]
    private let oversized: Counter

    /// Creates the guards; throws when an extra redaction pattern is not a valid regular expression.
    public init(maxResultBytes: Int?, redactSecrets: Bool, redactPatterns: [String], stats: StatsRegistry) throws {
        self.maxResultBytes = maxResultBytes
        let redactor = try SecretRedactor(builtIn: redactSecrets, patterns: redactPatterns)
        self.redactor = redactor.isActive ? redactor : nil
        var redactions: [String: Counter] = [:]
        for kind in SecretKind.allCases.map(\.rawValue) + ["custom"] {
            redactions[kind] = stats.counter("mcp_proxy_redactions_total", help: "Secrets the result guards replaced in tool results, by kind",
                                             labels: ["kind": kind])
        }
        self.redactions = redactions
        self.oversized = stats.counter("mcp_proxy_guard_refused_total", help: "Tool results the result guards turned into errors, by guard",
                                       labels: ["guard": "maxResultBytes"])
    }

    /// The refusal for a result over the size limit, or nil when it fits.
    public func checkSize(_ result: [UInt8], of call: GovernedCall) -> MCPRefusal? {
        guard let limit = maxResultBytes, result.count > limit else { return nil }
        oversized.increment()
        let tool = call.name.map { "tool '\($0)'" } ?? call.method
        var data: [UInt8] = Array(#"{"reason":"resultTooLarge","limit":"#.utf8)
        data += Array(String(limit).utf8)
        data += Array(#","size":"#.utf8)
        data += Array(String(result.count).utf8)
        data.append(UInt8(ascii: "}"))
        return MCPRefusal(
            code: .internalError,
            message: "The result of \(tool) (upstream '\(call.upstream)') is \(result.count) bytes, over the limit of \(limit) bytes "
                + "(proxy.guards.maxResultBytes); ask the tool for less, or raise the limit in the proxy's configuration",
            data: data, reason: "resultTooLarge")
    }

    /// The result with secrets redacted and a note for the access log, or nil when nothing was found.
    public func redact(_ result: [UInt8]) -> (result: [UInt8], note: String)? {
        guard let redactor else { return nil }
        var counts: [String: Int] = [:]
        guard let redacted = ResultRedaction.redact(result, with: redactor, counts: &counts), !counts.isEmpty else { return nil }
        for (kind, count) in counts { redactions[kind]?.increment(by: count) }
        let note = "redacted=" + counts.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }.joined(separator: ",")
        return (redacted, note)
    }
}

/// The ``ResultGuard`` a gateway installs: the size limit first, then the policy hook's response
/// phase, then redaction (so nothing the hook returns bypasses it).
public struct GovernanceResultGuard: ResultGuard {
    /// The result guards; nil when `proxy.guards` is off.
    public let guards: ResultGuards?
    /// The policy hook, when its response phase is on.
    public let hook: PolicyHookClient?

    /// Creates the guard; nil when neither part has anything to do.
    public init?(guards: ResultGuards?, hook: PolicyHookClient?) {
        let reviewing = hook.flatMap { $0.configuration.response ? $0 : nil }
        guard guards != nil || reviewing != nil else { return nil }
        self.guards = guards
        self.hook = reviewing
    }

    public func applies(to method: MCPMethod) -> Bool {
        (guards != nil && method == .toolsCall) || (hook?.reviewsResults(of: method) ?? false)
    }

    /// The size limit and redaction, at once, when the hook does not review this result (they
    /// need no network); nil when it does.
    public func inspectImmediately(_ result: [UInt8], of call: GovernedCall) -> ResultDecision? {
        if let hook, hook.reviewsResults(of: MCPMethod(name: call.method)) { return nil }
        guard let guards, call.method == MCPMethod.toolsCall.name else { return .pass(note: nil) }
        if let refusal = guards.checkSize(result, of: call) {
            return .refuse(refusal, note: "guard=maxResultBytes: \(result.count) > \(guards.maxResultBytes ?? 0)")
        }
        if let (redacted, note) = guards.redact(result) { return .replace(result: redacted, note: note) }
        return .pass(note: nil)
    }

    public func inspect(_ result: [UInt8], of call: GovernedCall) async -> ResultDecision {
        let guarded = guards != nil && call.method == MCPMethod.toolsCall.name
        var notes: [String] = []
        if guarded, let refusal = guards?.checkSize(result, of: call) {
            return .refuse(refusal, note: "guard=maxResultBytes: \(result.count) > \(guards?.maxResultBytes ?? 0)")
        }
        var current = result
        var replaced = false
        if let hook, hook.reviewsResults(of: MCPMethod(name: call.method)) {
            switch await hook.review(current, of: call) {
            case .pass(let note):
                if let note { notes.append(note) }
            case .replace(let replacement, let note):
                if let note { notes.append(note) }
                current = replacement
                replaced = true
            case .refuse(let refusal, let note):
                return .refuse(refusal, note: note)
            }
        }
        if guarded, let (redacted, note) = guards?.redact(current) {
            notes.append(note)
            current = redacted
            replaced = true
        }
        let note = notes.isEmpty ? nil : notes.joined(separator: "; ")
        return replaced ? .replace(result: current, note: note) : .pass(note: note)
    }
}
