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
    /// How an HTTP front should answer the exchange that carried the request, when this error is
    /// its only answer and nothing was streamed yet (for example 403 with a `WWW-Authenticate`
    /// challenge for a missing scope); other transports send the JSON-RPC error alone.
    public var httpHint: HTTPHint?

    /// An HTTP status and headers for a refusal.
    public struct HTTPHint: Sendable, Equatable {
        /// The status code, e.g. 403.
        public var status: Int
        /// Headers to add, e.g. `WWW-Authenticate`.
        public var headers: [String: String]

        /// Creates a hint.
        public init(status: Int, headers: [String: String] = [:]) {
            self.status = status
            self.headers = headers
        }
    }

    /// Creates a refusal.
    public init(code: JSONRPCErrorCode, message: String, data: [UInt8]? = nil, reason: String, httpHint: HTTPHint? = nil) {
        self.code = code
        self.message = message
        self.data = data
        self.reason = reason
        self.httpHint = httpHint
    }
}
