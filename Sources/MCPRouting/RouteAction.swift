/// What a matching route rule decides for a message.
public enum RouteAction: Sendable, Equatable {
    /// Let the message through to wherever it would go by default.
    case allow
    /// Refuse the message.
    case deny
    /// Send the message to the named upstream.
    case route(upstream: String)
}
