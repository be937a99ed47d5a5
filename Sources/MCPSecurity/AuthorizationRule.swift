/// One authorization rule as configured: whom it applies to, and what it allows or denies.
///
/// A rule applies to a principal when any of its ``subjects``, ``roles`` or ``scopes`` matches
/// (a rule with none of them applies to everyone). Within the rule, an item of a kind is allowed
/// when it matches that kind's `allow` globs (or the rule has no `allow` for the kind) and matches
/// none of its `deny` globs.
public struct AuthorizationRule: Sendable, Hashable {
    /// Allow and deny globs for one kind of item.
    public struct Patterns: Sendable, Hashable {
        /// Globs an item must match; nil means every item.
        public var allow: [String]?
        /// Globs an item must not match (deny wins over allow).
        public var deny: [String]

        /// Creates patterns.
        public init(allow: [String]? = nil, deny: [String] = []) {
            self.allow = allow
            self.deny = deny
        }
    }

    /// Principal subjects the rule applies to (exact).
    public var subjects: [String]
    /// Roles the rule applies to (any).
    public var roles: [String]
    /// Scopes the rule applies to (any).
    public var scopes: [String]
    /// Method names (`tools/call`, `resources/read`, ...), or nil for every method.
    public var methods: Patterns?
    /// Exposed tool names, or nil for every tool.
    public var tools: Patterns?
    /// Exposed prompt names, or nil for every prompt.
    public var prompts: Patterns?
    /// Exposed resource URIs (and templates' `uriTemplate`), or nil for every resource.
    public var resources: Patterns?
    /// Scopes the principal must hold for a request the rule allows; missing ones are answered
    /// with `insufficient_scope`.
    public var requireScopes: [String]

    /// Creates a rule.
    public init(
        subjects: [String] = [],
        roles: [String] = [],
        scopes: [String] = [],
        methods: Patterns? = nil,
        tools: Patterns? = nil,
        prompts: Patterns? = nil,
        resources: Patterns? = nil,
        requireScopes: [String] = []
    ) {
        self.subjects = subjects
        self.roles = roles
        self.scopes = scopes
        self.methods = methods
        self.tools = tools
        self.prompts = prompts
        self.resources = resources
        self.requireScopes = requireScopes
    }
}

/// What principals that no rule applies to get.
public enum AuthorizationDefault: String, Sendable, Hashable {
    /// Everything is allowed.
    case allow
    /// Everything is denied (except the protocol's own `initialize`, `ping` and notifications).
    case deny
}
