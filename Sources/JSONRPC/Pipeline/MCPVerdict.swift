/// What a stage (or the chain) decided about a request.
public enum MCPVerdict: Sendable {
    /// The terminal took the request: it was forwarded upstream, or will be once something it
    /// waits for is ready. The answer arrives later, and `finished` runs then.
    case forwarded
    /// The request was answered locally (the terminal wrote the answer).
    case answered
    /// A stage refused the request; the proxy answers it with this error and nothing goes upstream.
    case refused(MCPRefusal)
}

/// A stage's refusal: the JSON-RPC error the client gets, and a short machine-readable reason
/// for logs and counters.
public struct MCPRefusal: Error, Sendable, Equatable {
    /// The JSON-RPC error code.
    public var code: JSONRPCErrorCode
    /// The error message; says what happened and what to do.
    public var message: String
    /// `error.data` as raw JSON, or nil.
    public var data: [UInt8]?
    /// A short reason such as `denied`, `rateLimited`, `unknownTool` (counters use it as a label).
    public var reason: String

    /// Creates a refusal.
    public init(code: JSONRPCErrorCode, message: String, data: [UInt8]? = nil, reason: String) {
        self.code = code
        self.message = message
        self.data = data
        self.reason = reason
    }
}
