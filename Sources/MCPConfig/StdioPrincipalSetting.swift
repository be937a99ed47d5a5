/// The principal of the stdio front (`proxy.auth.stdioPrincipal`): the local user, configured
/// rather than proven.
public struct StdioPrincipalSetting: Sendable, Equatable {
    /// `subject`. Default `"local"`.
    public var subject: String
    /// `roles`. Default none.
    public var roles: [String]
    /// `scopes`. Default none.
    public var scopes: [String]

    /// Creates the setting.
    public init(subject: String = "local", roles: [String] = [], scopes: [String] = []) {
        self.subject = subject
        self.roles = roles
        self.scopes = scopes
    }
}
