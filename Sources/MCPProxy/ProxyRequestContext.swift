import JSONRPC
import MCPSecurity
import MCPStats

/// What every pipeline stage of an ``MCPProxy`` sees besides the call: who is calling, and where
/// routing sent the request.
///
/// Routing runs before the chain (it may have to load an upstream's lists first), so stages
/// already know the target upstream; requests the proxy answers itself (`initialize`, `ping`,
/// lists, `logging/setLevel`) have no upstream.
public struct ProxyRequestContext: PrincipalContext, RoutedContext, AttachmentContext, Sendable {
    /// The session's principal (``Principal/anonymous`` when authentication is off).
    public let principal: Principal
    /// The upstream the request goes to; nil when the proxy answers it itself.
    public var upstreamName: String? {
        if case .upstream(let target) = target { return target.name }
        return nil
    }
    /// The list a local list request reads (tools, prompts, resources, templates), else nil.
    public var listKind: CatalogItemKind? {
        if case .local(.list(let kind)) = target { return kind.itemKind }
        return nil
    }

    /// What stages attached to this request (kept until `finished`).
    public var attachments = MCPAttachments()

    /// The client session the request came on, as logs name it: its transport's name
    /// (`http:*:1a2b3c4d` with the first 8 characters of the session id, `stdio`); empty for a
    /// proxy without stages, where nothing reads it.
    public let session: String

    /// Where routing sent the request.
    var target: RouteTarget

    init(principal: Principal, target: RouteTarget, session: String = "") {
        self.principal = principal
        self.target = target
        self.session = session
    }
}

extension ListKind {
    /// The authorizer's name for this list.
    var itemKind: CatalogItemKind {
        switch self {
        case .tools: return .tools
        case .prompts: return .prompts
        case .resources: return .resources
        case .resourceTemplates: return .resourceTemplates
        }
    }
}
