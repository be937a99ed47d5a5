import JSONRPC

/// Where the HTTP front finds a tool's `x-mcp-header` annotations for the `Mcp-Param-*` check
/// (rung 5 of the 2026-07-28 validation ladder): given the endpoint's service (``HTTPEndpoint/service``)
/// and the tool's name as the client sent it in `params.name`, the annotations of that tool as
/// the endpoint lists it, or nil when there is nothing to check (no such tool known yet, no
/// annotations, or invalid ones).
///
/// The front knows no catalog; the proxy that owns one sets this on
/// ``HTTPFrontConfiguration/toolHeaderAnnotations``. It is called once per 2026-07-28 `tools/call`
/// POST, so answer from annotations computed when the tool list changed, never by scanning schemas.
public typealias ToolHeaderAnnotationLookup = @Sendable (_ service: String, _ tool: String) -> XMCPHeaderAnnotations?

extension StreamableHTTPEndpointHandler {
    /// The `Mcp-Param-*` refusal for a 2026-07-28 `tools/call`, or nil when its headers agree with
    /// its arguments or nothing is to be checked: not a `tools/call`, no lookup configured, a
    /// version the proxy does not speak (the session answers -32022 first, as the SDK's ladder
    /// does), or a tool the lookup has no annotations for. Unknown `Mcp-Param-*` headers are not
    /// checked.
    func mcpParamRefusal(_ headers: ModernRequestHeaders, request: JSONRPCMessage) -> ModernHeaderRefusal? {
        guard request.envelope.method == .toolsCall, let lookup = settings.toolHeaderAnnotations,
              headers.protocolVersion == ProtocolVersion.v2026_07_28.rawValue,
              let tool = request.envelope.name, let annotations = lookup(endpoint.service, tool) else { return nil }
        return ModernHeaderCheck.params(headers, request: request, annotations: annotations)
    }
}
