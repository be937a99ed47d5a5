import JSONRPC

/// An asynchronous admission step that runs in the terminal, after every pipeline stage let a
/// request through and just before it is forwarded: an external policy service, for example.
///
/// Pipeline stages are synchronous (they run on the transport's thread and cannot wait for the
/// network); a gate may. When ``ProxyOptions/callGate`` is set and ``applies(to:)`` says yes, the
/// session waits for ``admit(_:)`` in a task while the request counts as in flight; a client's
/// cancellation meanwhile drops the request, and it is never forwarded. With no gate configured
/// the terminal forwards at once, as before.
public protocol AsyncCallGate: Sendable {
    /// Whether requests of `method` go through ``admit(_:)``. Called on the transport's thread
    /// for every forwarded request: keep it cheap.
    func applies(to method: MCPMethod) -> Bool

    /// Decides about one request.
    func admit(_ call: GovernedCall) async -> CallGateDecision

    /// Whether requests of `method` that the proxy answers without forwarding them (lists,
    /// `logging/setLevel`, `ping`, `initialize`, a `resources/subscribe` another client of a shared
    /// upstream session holds already) go through ``admitLocalAnswer(_:)`` first. A rate limit
    /// says yes (its in-memory pipeline stage counts them too); a policy hook, which judges
    /// calls to upstreams, says no, the default. Called on the transport's thread: keep it cheap.
    func appliesToLocalAnswers(_ method: MCPMethod) -> Bool

    /// Decides about a request the proxy answers itself (``appliesToLocalAnswers(_:)``): its
    /// ``GovernedCall/upstream`` is empty unless routing named one (subscriptions). Only
    /// ``CallGateDecision/deny(_:note:)`` changes anything; a rewrite is taken as an allow.
    func admitLocalAnswer(_ call: GovernedCall) async -> CallGateDecision
}

extension AsyncCallGate {
    /// No: requests the proxy answers itself are not put to this gate.
    public func appliesToLocalAnswers(_ method: MCPMethod) -> Bool { false }

    /// Allows (never called while ``appliesToLocalAnswers(_:)`` says no).
    public func admitLocalAnswer(_ call: GovernedCall) async -> CallGateDecision { .allow(note: nil) }
}

/// What an ``AsyncCallGate`` decided.
public enum CallGateDecision: Sendable, Equatable {
    /// Forward the request unchanged. `note` goes to the access log (`policy` field).
    case allow(note: String?)
    /// Forward the request with `params.arguments` replaced by `arguments` (a JSON object).
    case rewrite(arguments: [UInt8], note: String?)
    /// Answer the client with this error; nothing goes upstream.
    case deny(MCPRefusal, note: String?)
}
