/// One `proxy.serverRequests` setting.
public struct ServerRequestRule: Sendable, Equatable {
    /// Creates the setting.
    public init() {}
}
