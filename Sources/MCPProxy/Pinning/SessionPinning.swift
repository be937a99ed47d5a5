import JSONRPC
import MCPSecurity

/// Tool-definition pinning as a client session meets it: a call for a quarantined tool.
extension ProxySession {
    /// The quarantined tool a client's unknown tool name stands for (at a virtual endpoint, its
    /// name there); nil when pinning is off or nothing by that name is quarantined. Runs only
    /// for a name that did not resolve, never on a call that did.
    func quarantinedTool(named name: String) -> QuarantinedTool? {
        guard options.toolPinning != nil else { return nil }
        let quarantined = catalog.quarantinedTools()
        guard !quarantined.isEmpty else { return nil }
        guard let endpoint else { return quarantined[name] }
        for var tool in quarantined.values where endpoint.serves(tool.upstream) && endpoint.tools.permits(tool.exposed) {
            let shown = endpoint.originalNames ? tool.original : (endpoint.rename[tool.exposed] ?? tool.exposed)
            guard shown == name else { continue }
            tool.exposed = name
            return tool
        }
        return nil
    }

    /// Answers a call for a quarantined tool: -32003 (access denied), `data.reason:
    /// "toolDefinitionChanged"`; false when `name` is not quarantined.
    func refuseQuarantinedTool(named name: String, id: [UInt8], route: ReplyRoute) -> Bool {
        guard let tool = quarantinedTool(named: name) else { return false }
        replyError(route, id: id, code: .accessDenied, message: tool.message, data: tool.data)
        return true
    }
}
