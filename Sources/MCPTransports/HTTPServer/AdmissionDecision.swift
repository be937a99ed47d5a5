import JSONRPC

/// The answer of a ``RequestAdmission``: who is calling, or the HTTP answer that refuses the request.
public enum AdmissionDecision: Sendable {
    /// The request goes on as `principal`: sessions it creates are bound to it, and it may use
    /// only sessions bound to the same ``Principal/identityKey``.
    case admit(Principal)
    /// The request is answered with this rejection and goes no further (no session is touched).
    case reject(HTTPRejection)
}
