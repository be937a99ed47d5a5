/// One `proxy.guards` setting.
public struct GuardSettings: Sendable, Equatable {
    /// Creates the setting.
    public init() {}
}
