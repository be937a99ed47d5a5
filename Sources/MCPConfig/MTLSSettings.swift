/// Principals from verified TLS client certificates (`proxy.auth.mtls`). The certificate's
/// subject (e.g. `CN=ops-bot`) becomes the principal's subject.
public struct MTLSSettings: Sendable, Equatable {
    /// `roles`: roles per certificate subject, keyed by the subject as written (e.g. `"CN=ops-bot"`).
    public var roles: [String: [String]]
    /// `defaultRoles`: roles of a verified certificate whose subject is not listed. Default none.
    public var defaultRoles: [String]

    /// Creates settings.
    public init(roles: [String: [String]] = [:], defaultRoles: [String] = []) {
        self.roles = roles
        self.defaultRoles = defaultRoles
    }
}
