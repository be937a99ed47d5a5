extension JSONRPCErrorCode {
    /// -32003: the authorization policy refused the request (`data.reason` says why).
    public static let accessDenied = JSONRPCErrorCode(rawValue: -32003)
    /// -32004: the request carried no valid credentials (the body of an HTTP 401; `data.reason`
    /// names the failure, the `WWW-Authenticate` header says where to get a token).
    public static let unauthorized = JSONRPCErrorCode(rawValue: -32004)
    /// -32029: the request is over a rate limit (`data.retryAfterMs` says when to retry).
    public static let rateLimited = JSONRPCErrorCode(rawValue: -32029)
}
