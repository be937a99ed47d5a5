/// One `proxy.endpoints` setting.
public struct EndpointSettings: Sendable, Equatable {
    /// Creates the setting.
    public init() {}
}
