/// An HTTP answer that refuses a request before it reaches a session, written exactly as given
/// (for example 401 with `WWW-Authenticate`, 403, or 429 with `Retry-After`). The connection stays
/// open for the client's next request.
public struct HTTPRejection: Sendable {
    /// The status code, e.g. 401.
    public var status: Int
    /// Extra response headers, e.g. `("WWW-Authenticate", "Bearer resource_metadata=\"...\"")`.
    /// `Content-Length` is set by the front; `Content-Type` defaults to `application/json`.
    public var headers: [(String, String)]
    /// The response body (JSON, usually a JSON-RPC error without an id).
    public var body: [UInt8]

    /// Creates a rejection.
    public init(status: Int, headers: [(String, String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}
