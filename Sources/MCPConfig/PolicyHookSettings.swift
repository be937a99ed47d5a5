/// One `proxy.policyHook` setting.
public struct PolicyHookSettings: Sendable, Equatable {
    /// Creates the setting.
    public init() {}
}
