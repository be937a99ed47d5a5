import MCPProxy
import MCPTransports

extension GatewayGeneration {
    /// The `x-mcp-header` annotations of `tool` as the endpoint serving `service` lists it ("*":
    /// the main path; otherwise a virtual endpoint or named server), for the HTTP front's
    /// `Mcp-Param-*` check; nil when there is nothing to check.
    func toolHeaderAnnotations(service: String, tool: String) -> XMCPHeaderAnnotations? {
        if service == "*" { return aggregated.toolHeaderAnnotations(forTool: tool) }
        guard let view = views[service] else { return nil }
        return aggregated.toolHeaderAnnotations(forTool: tool, endpoint: view)
    }
}
