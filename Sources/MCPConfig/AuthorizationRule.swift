/// One rule of `proxy.authorization.rules`.
///
/// The rule applies to a principal when any of its ``roles``, ``scopes`` or ``subjects`` matches
/// (exact strings); a rule that lists none of them applies to every principal. Within the rule an
/// item is allowed when it matches the kind's `allow` (or the rule has no `allow` for that kind)
/// and matches no `deny`; and the principal must hold every scope in ``requireScopes``.
public struct AuthorizationRule: Sendable, Equatable {
    /// `roles`: the rule applies to principals with any of these roles.
    public var roles: [String]
    /// `scopes`: the rule applies to principals with any of these scopes.
    public var scopes: [String]
    /// `subjects`: the rule applies to principals with any of these subjects.
    public var subjects: [String]
    /// `tools`: globs on exposed tool names; `nil` when the rule says nothing about tools.
    public var tools: AccessList?
    /// `prompts`: globs on exposed prompt names; `nil` when the rule says nothing about prompts.
    public var prompts: AccessList?
    /// `resources`: globs on exposed resource URIs; `nil` when the rule says nothing about resources.
    public var resources: AccessList?
    /// `methods`: globs on JSON-RPC method names; `nil` when the rule says nothing about methods.
    public var methods: AccessList?
    /// `requireScopes`: scopes the principal must hold, else 403 `insufficient_scope`. Default none.
    public var requireScopes: [String]

    /// Creates a rule.
    public init(roles: [String] = [], scopes: [String] = [], subjects: [String] = [],
                tools: AccessList? = nil, prompts: AccessList? = nil, resources: AccessList? = nil,
                methods: AccessList? = nil, requireScopes: [String] = []) {
        self.roles = roles
        self.scopes = scopes
        self.subjects = subjects
        self.tools = tools
        self.prompts = prompts
        self.resources = resources
        self.methods = methods
        self.requireScopes = requireScopes
    }

    /// Whether the rule lists no roles, scopes or subjects, and so applies to every principal.
    public var appliesToEveryone: Bool { roles.isEmpty && scopes.isEmpty && subjects.isEmpty }
}

/// `{ allow: [globs], deny: [globs] }` in an authorization rule. Globs use the filter syntax
/// (`*`, `?`, `[...]`, `\` escapes) and are matched against exposed names, URIs or methods.
public struct AccessList: Sendable, Equatable {
    /// `allow`: an item must match one of these; `nil` allows everything not denied.
    public var allow: [String]?
    /// `deny`: an item matching one of these is refused even when `allow` matches.
    public var deny: [String]

    /// Creates a list.
    public init(allow: [String]? = nil, deny: [String] = []) {
        self.allow = allow
        self.deny = deny
    }
}
