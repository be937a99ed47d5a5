extension JSONRPCErrorCode {
    /// -32003: the authorization policy refused the request (`data.reason` says why).
    public static let accessDenied = JSONRPCErrorCode(rawValue: -32003)
    /// -32029: the request is over a rate limit (`data.retryAfterMs` says when to retry).
    public static let rateLimited = JSONRPCErrorCode(rawValue: -32029)
}
