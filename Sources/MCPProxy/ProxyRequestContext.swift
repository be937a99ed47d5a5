import JSONRPC
import MCPStats

/// What every pipeline stage of an ``MCPProxy`` sees besides the call: who is calling, and where
/// routing sent the request.
///
/// Routing runs before the chain (it may have to load an upstream's lists first), so stages
/// already know the target upstream; requests the proxy answers itself (`initialize`, `ping`,
/// lists, `logging/setLevel`) have no upstream.
public struct ProxyRequestContext: PrincipalContext, RoutedContext, Sendable {
    /// The session's principal (``Principal/anonymous`` when authentication is off).
    public let principal: Principal
    /// The upstream the request goes to; nil when the proxy answers it itself.
    public var upstreamName: String? {
        if case .upstream(let target) = target { return target.name }
        return nil
    }
    /// The list a local list request reads (tools, prompts, resources, templates), else nil.
    public var listKind: CatalogListKind? {
        if case .local(.list(let kind)) = target { return kind.publicKind }
        return nil
    }

    /// Where routing sent the request.
    var target: RouteTarget

    init(principal: Principal, target: RouteTarget) {
        self.principal = principal
        self.target = target
    }
}

/// The lists a client can read from the merged catalog.
public enum CatalogListKind: String, Sendable, Hashable, CaseIterable {
    /// `tools/list`: items matched by tool name.
    case tools
    /// `prompts/list`: items matched by prompt name.
    case prompts
    /// `resources/list`: items matched by URI.
    case resources
    /// `resources/templates/list`: items matched by URI template.
    case resourceTemplates
}

/// Decides which catalog items a principal sees in merged lists. A user's authorizer conforms;
/// the proxy filters before it pages, so cursors stay correct.
public protocol CatalogVisibility: Sendable {
    /// Whether `principal` may see the item exposed as `name` (a tool or prompt name, a resource
    /// URI or a URI template) in the list of `kind`.
    func isVisible(_ principal: Principal, kind: CatalogListKind, name: String) -> Bool
}

extension ListKind {
    var publicKind: CatalogListKind {
        switch self {
        case .tools: return .tools
        case .prompts: return .prompts
        case .resources: return .resources
        case .resourceTemplates: return .resourceTemplates
        }
    }
}
