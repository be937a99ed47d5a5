import MCPRouting
import NIOConcurrencyHelpers

/// The rule-based ``Authorizer``: the first rule that applies to a principal decides.
///
/// Rules are compiled once (globs to matchers, principal selectors to sets). Which rule applies to
/// a principal is worked out once and kept on the principal object itself (its memo), so deciding
/// a request is a short locked scan and a few glob matches: nothing is hashed or allocated on the
/// allow path, and nothing outlives the principal.
///
/// `initialize`, `ping` and notifications are always allowed (the protocol's own plumbing).
/// Visibility in lists depends only on the applicable rule's method and item globs, not on
/// `requireScopes`: a tool that needs a scope stays visible and its call answers
/// `insufficient_scope`, which tells the client which scope to ask for.
public final class RuleAuthorizer: Authorizer {
    private final class CompiledRule: Sendable {
        let subjects: Set<String>
        let roles: Set<String>
        let scopes: Set<String>
        let appliesToEveryone: Bool
        let methods: NameFilter?
        let tools: NameFilter?
        let prompts: NameFilter?
        let resources: NameFilter?
        let requireScopes: [String]

        init(_ rule: AuthorizationRule) throws(GlobPatternError) {
            subjects = Set(rule.subjects)
            roles = Set(rule.roles)
            scopes = Set(rule.scopes)
            appliesToEveryone = rule.subjects.isEmpty && rule.roles.isEmpty && rule.scopes.isEmpty
            methods = try Self.compile(rule.methods)
            tools = try Self.compile(rule.tools)
            prompts = try Self.compile(rule.prompts)
            resources = try Self.compile(rule.resources)
            requireScopes = rule.requireScopes
        }

        static func compile(_ patterns: AuthorizationRule.Patterns?) throws(GlobPatternError) -> NameFilter? {
            guard let patterns else { return nil }
            return try NameFilter(allow: patterns.allow, deny: patterns.deny)
        }

        func applies(to principal: Principal) -> Bool {
            if appliesToEveryone { return true }
            if subjects.contains(principal.subject) { return true }
            for role in principal.roles where roles.contains(role) { return true }
            for scope in principal.scopes where scopes.contains(scope) { return true }
            return false
        }
    }

    /// The rules as configured.
    public let rules: [AuthorizationRule]
    /// What principals no rule applies to get.
    public let defaultDecision: AuthorizationDefault

    private let compiled: [CompiledRule]
    private let memoKey = PrincipalMemoKey()
    private let computations = NIOLockedValueBox(0)

    /// Compiles the rules.
    ///
    /// - Throws: `GlobPatternError` for the first malformed glob.
    public init(rules: [AuthorizationRule], default defaultDecision: AuthorizationDefault) throws(GlobPatternError) {
        self.rules = rules
        self.defaultDecision = defaultDecision
        var compiled: [CompiledRule] = []
        for rule in rules { compiled.append(try CompiledRule(rule)) }
        self.compiled = compiled
    }

    /// The index of the rule that applies to `principal` (memoized), or nil when none does.
    /// Visibility depends only on this, so list filters can be cached per rule.
    public func ruleIndex(for principal: Principal) -> Int? {
        let index = principal.memoizedIndex(memoKey) {
            computations.withLockedValue { $0 += 1 }
            for (index, rule) in compiled.enumerated() where rule.applies(to: principal) { return index }
            return -1
        }
        return index >= 0 ? index : nil
    }

    /// How many times the applicable rule was worked out (once per principal object: the result is
    /// kept on the principal, so memory goes away with it).
    public var memoCount: Int { computations.withLockedValue { $0 } }

    private static let noRule = AuthorizationDecision.denied(reason: "no rule grants access")

    /// See ``Authorizer/authorize(_:method:name:uri:)``.
    public func authorize(_ principal: Principal, method: MCPMethod, name: String?, uri: String?) -> AuthorizationDecision {
        switch method {
        case .initialize, .ping: return .allowed
        default: if method.isNotification { return .allowed }
        }
        guard let index = ruleIndex(for: principal) else {
            return defaultDecision == .allow ? .allowed : Self.noRule
        }
        let rule = compiled[index]
        if let methods = rule.methods, !methods.permits(method.name) {
            return .denied(reason: "method not allowed")
        }
        switch method {
        case .toolsCall:
            if let tools = rule.tools, !tools.permits(name ?? "") { return .denied(reason: "tool not allowed") }
        case .promptsGet:
            if let prompts = rule.prompts, !prompts.permits(name ?? "") { return .denied(reason: "prompt not allowed") }
        case .resourcesRead, .resourcesSubscribe, .resourcesUnsubscribe:
            if let resources = rule.resources, !resources.permits(uri ?? "") { return .denied(reason: "resource not allowed") }
        case .completionComplete:
            if let name {
                if let prompts = rule.prompts, !prompts.permits(name) { return .denied(reason: "prompt not allowed") }
            } else if let resources = rule.resources, !resources.permits(uri ?? "") {
                return .denied(reason: "resource not allowed")
            }
        default:
            break
        }
        for scope in rule.requireScopes where !principal.hasScope(scope) {
            return .insufficientScope(required: rule.requireScopes)
        }
        return .allowed
    }

    /// See ``Authorizer/isVisible(_:kind:name:)``.
    public func isVisible(_ principal: Principal, kind: CatalogItemKind, name: String) -> Bool {
        guard let index = ruleIndex(for: principal) else { return defaultDecision == .allow }
        let rule = compiled[index]
        let callMethod: MCPMethod
        let filter: NameFilter?
        switch kind {
        case .tools: (callMethod, filter) = (.toolsCall, rule.tools)
        case .prompts: (callMethod, filter) = (.promptsGet, rule.prompts)
        case .resources, .resourceTemplates: (callMethod, filter) = (.resourcesRead, rule.resources)
        }
        if let methods = rule.methods, !methods.permits(callMethod.name) { return false }
        return filter?.permits(name) ?? true
    }
}
