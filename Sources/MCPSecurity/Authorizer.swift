/// What an ``Authorizer`` decided about one request.
public enum AuthorizationDecision: Sendable, Equatable {
    /// The request may proceed.
    case allowed
    /// The request is refused; `reason` is short and static (no names or URIs in it).
    case denied(reason: String)
    /// The request would be allowed with these scopes (answered with `insufficient_scope`).
    case insufficientScope(required: [String])
}

/// The kinds of catalog entries whose lists are filtered per principal.
public enum CatalogItemKind: Sendable, Hashable, CaseIterable {
    /// `tools/list` entries (matched by name).
    case tools
    /// `prompts/list` entries (matched by name).
    case prompts
    /// `resources/list` entries (matched by URI).
    case resources
    /// `resources/templates/list` entries (matched by `uriTemplate`).
    case resourceTemplates
}

/// Decides what a principal may do. Implementations must be fast and must not block: they run on
/// the transport's thread for every request.
public protocol Authorizer: Sendable {
    /// Whether `principal` may send this request. `name` is the exposed tool or prompt name
    /// (`params.name`, or `params.ref.name` for `completion/complete`); `uri` the exposed resource
    /// URI (`params.uri`, or `params.ref.uri`).
    func authorize(_ principal: Principal, method: MCPMethod, name: String?, uri: String?) -> AuthorizationDecision

    /// Whether `principal` sees a catalog entry in a list (`name` is a tool or prompt name, a
    /// resource URI or a template's `uriTemplate`).
    func isVisible(_ principal: Principal, kind: CatalogItemKind, name: String) -> Bool
}
