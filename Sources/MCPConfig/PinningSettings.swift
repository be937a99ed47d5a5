/// One `proxy.pinning` setting.
public struct PinningSettings: Sendable, Equatable {
    /// Creates the setting.
    public init() {}
}
