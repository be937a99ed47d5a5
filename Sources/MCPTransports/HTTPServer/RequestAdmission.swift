/// The policy the HTTP front asks, for every request to an MCP endpoint and before any session is
/// looked up or created, who is calling: admit the request as a ``Principal`` or refuse it.
///
/// The transports module checks nothing about identity itself; the implementation (JWT, API keys,
/// mTLS, pre-authentication rate limits) is injected through
/// ``HTTPFrontConfiguration/admission``. Without one, every request is ``Principal/anonymous``.
///
/// The front calls ``admitImmediately(_:)`` on the connection's event loop first; it must be cheap
/// and must not block (a cache lookup, a decision that needs no I/O). Only when it returns nil does
/// the front call ``admit(_:)`` from a task, then continues the request on the connection's event
/// loop with the answer. Request bodies that arrive meanwhile are buffered (up to the body limit).
public protocol RequestAdmission: Sendable {
    /// The decision, when it can be made at once without suspending; nil to call ``admit(_:)``.
    func admitImmediately(_ request: AdmissionRequest) -> AdmissionDecision?
    /// The decision, possibly after I/O (fetching a key set, asking an introspection endpoint).
    func admit(_ request: AdmissionRequest) async -> AdmissionDecision
}
