/// One request to the admin listener, as its handler sees it.
public struct AdminRequest: Sendable {
    /// `GET`, `POST`, ...
    public var method: String
    /// The path without the query string, e.g. `/api/upstreams`.
    public var path: String
    /// The query string without `?` (empty when none).
    public var query: String
    /// The request headers, names in lower case.
    public var headers: [(name: String, value: String)]
    /// The body (at most ``HTTPAdminServer/maxBodyBytes``).
    public var body: [UInt8]

    /// Creates a request.
    public init(method: String, path: String, query: String = "", headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }

    /// The first value of header `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        let lowered = name.lowercased()
        return headers.first { $0.name == lowered }?.value
    }
}

/// The admin listener's answer to one request.
public struct AdminResponse: Sendable {
    /// The HTTP status.
    public var status: Int
    /// The `Content-Type`.
    public var contentType: String
    /// The body.
    public var body: String
    /// More headers (e.g. `Allow`, `WWW-Authenticate`, `Cache-Control`).
    public var headers: [(name: String, value: String)]

    /// Creates a response.
    public init(status: Int, contentType: String, body: String, headers: [(name: String, value: String)] = []) {
        self.status = status
        self.contentType = contentType
        self.body = body
        self.headers = headers
    }
}
