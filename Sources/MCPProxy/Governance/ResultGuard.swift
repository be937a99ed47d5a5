import JSONRPC

/// A check on results before they go to the client: size limits, secret redaction, an external
/// policy service's response phase.
///
/// When ``ProxyOptions/resultGuard`` is set and ``applies(to:)`` says yes for a request's
/// method, the session hands the upstream's successful result to ``inspect(_:of:)`` in a task
/// and sends the client what it decides. Errors from the upstream pass unchanged. With no guard
/// configured the answer is relayed byte for byte, as before.
public protocol ResultGuard: Sendable {
    /// Whether results of `method` are inspected. Called on the transport's thread for every
    /// forwarded request: keep it cheap.
    func applies(to method: MCPMethod) -> Bool

    /// Decides about one result: `result` is the `result` member of the upstream's answer, raw JSON.
    func inspect(_ result: [UInt8], of call: GovernedCall) async -> ResultDecision

    /// Decides at once, on the transport's thread, when nothing needs waiting for (no network);
    /// nil sends the result to ``inspect(_:of:)`` in a task. The default is nil.
    func inspectImmediately(_ result: [UInt8], of call: GovernedCall) -> ResultDecision?
}

extension ResultGuard {
    /// Nil: every result goes to ``inspect(_:of:)``.
    public func inspectImmediately(_ result: [UInt8], of call: GovernedCall) -> ResultDecision? { nil }
}

/// What a ``ResultGuard`` decided.
public enum ResultDecision: Sendable, Equatable {
    /// Send the result as the upstream gave it.
    case pass(note: String?)
    /// Send this result instead (raw JSON, an object).
    case replace(result: [UInt8], note: String?)
    /// Send the client this error instead of the result.
    case refuse(MCPRefusal, note: String?)
}
