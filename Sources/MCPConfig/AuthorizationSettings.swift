/// What principals may do (`proxy.authorization`): rules tried in order, first applicable rule
/// decides, and a default for principals no rule applies to.
public struct AuthorizationSettings: Sendable, Equatable {
    /// `default`: the decision for principals no rule applies to. Default `.allow`.
    public var defaultDecision: AuthorizationDecision
    /// `rules`: tried in file order; the first rule that applies to a principal decides.
    public var rules: [AuthorizationRule]

    /// Creates settings.
    public init(defaultDecision: AuthorizationDecision = .allow, rules: [AuthorizationRule] = []) {
        self.defaultDecision = defaultDecision
        self.rules = rules
    }
}

/// `proxy.authorization.default`.
public enum AuthorizationDecision: String, Sendable, Equatable, CaseIterable {
    case allow
    case deny
}
