/// One routing rule: glob patterns on a message's method, item name and upstream, and the action
/// taken when all of them match.
public struct RouteRule: Sendable, Equatable {
    /// Glob on the JSON-RPC method, such as `tools/call` or `resources/*`.
    public var method: String
    /// Glob on the tool or prompt name or resource URI; `nil` matches any message, with or without one.
    /// A pattern (even `*`) only matches messages that carry a name.
    public var name: String?
    /// Glob on the upstream the message is headed for; `nil` matches any, with or without one.
    /// A pattern (even `*`) only matches when an upstream is known.
    public var upstream: String?
    /// What to do when the rule matches.
    public var action: RouteAction

    /// Creates a rule; by default it matches every method, name and upstream.
    public init(method: String = "*", name: String? = nil, upstream: String? = nil, action: RouteAction) {
        self.method = method
        self.name = name
        self.upstream = upstream
        self.action = action
    }
}
