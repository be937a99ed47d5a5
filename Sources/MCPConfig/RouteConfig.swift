/// One entry of `proxy.routes`: a rule the proxy applies to requests from clients.
/// The first route that matches a request decides.
public struct RouteConfig: Sendable, Equatable {
    /// A glob on the JSON-RPC method, e.g. `"tools/call"` or `"resources/*"`. Defaults to `"*"`.
    public var method: String
    /// A glob on the exposed (namespaced) tool or prompt name, or the resource URI; `nil` matches any.
    public var name: String?
    /// A glob on the upstream server's name; `nil` matches any.
    public var upstream: String?
    /// `"allow"`, `"deny"` or `"route"`.
    public var action: String
    /// For `action: route`, the server the request is sent to; `nil` for other actions.
    public var to: String?

    /// The actions a route may take.
    public static let actions = ["allow", "deny", "route"]

    /// Creates a route.
    public init(method: String = "*", name: String? = nil, upstream: String? = nil, action: String, to: String? = nil) {
        self.method = method
        self.name = name
        self.upstream = upstream
        self.action = action
        self.to = to
    }
}
