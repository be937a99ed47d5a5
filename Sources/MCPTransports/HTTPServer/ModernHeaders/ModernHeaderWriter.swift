import JSONRPC

/// Builds the mirrored headers a 2026-07-28 POST to an upstream must carry, from the request
/// exactly as it will be sent (after any rename, so `Mcp-Name` carries the upstream's name):
/// - `MCP-Protocol-Version`: the version the body's `_meta` names;
/// - `Mcp-Method`: the method;
/// - `Mcp-Name`: `params.name` (`tools/call`, `prompts/get`) or `params.uri` (`resources/read`),
///   through `MCPHeaderValue.encode`;
/// - `Mcp-Param-<token>` (`tools/call`) for each argument the upstream's tool annotates with
///   `x-mcp-header` that is present and not null: a string as is, an integer in decimal, a
///   boolean as `true`/`false`, through `MCPHeaderValue.encode`;
/// - then, from the downstream request, every `Mcp-Param-*` line the annotations do not name
///   (an intermediary MUST forward unknown ones).
public enum ModernHeaderWriter {
    /// The header lines for `request`, ready for `HTTPHeaders.add(contentsOf:)`.
    /// - Parameters:
    ///   - request: the request as sent upstream (renamed, `_meta` injected).
    ///   - protocolVersion: the version sent upstream; must equal the body's `_meta` version.
    ///   - annotations: the upstream tool's `x-mcp-header` map (nil or `.none`: no `Mcp-Param-*`
    ///     of ours).
    ///   - name: overrides the `Mcp-Name` value (the upstream name) when the body is spliced
    ///     later; by default the body's `params.name` / `params.uri`.
    ///   - forwarding: the downstream request's headers, whose unrecognized `Mcp-Param-*` lines
    ///     are passed through unchanged.
    public static func headers(
        for request: JSONRPCMessage,
        protocolVersion: String,
        annotations: XMCPHeaderAnnotations? = nil,
        name: String? = nil,
        forwarding incoming: ModernRequestHeaders? = nil
    ) -> [(String, String)] {
        var lines: [(String, String)] = [(ModernRequestHeaders.protocolVersionName, protocolVersion)]
        let envelope = request.envelope
        guard let method = envelope.method else { return lines }
        lines.append((ModernRequestHeaders.methodName, method.name))
        let bodyName: String?
        switch method {
        case .toolsCall, .promptsGet: bodyName = envelope.name
        case .resourcesRead: bodyName = envelope.uri
        default: bodyName = nil
        }
        if let value = name ?? bodyName {
            lines.append((ModernRequestHeaders.nameName, MCPHeaderValue.encode(value)))
        }
        guard method == .toolsCall else { return lines }
        let annotations = annotations ?? .none
        if !annotations.isEmpty {
            let arguments = envelope.paramsRange.flatMap { JSONView(message: request, range: $0)["arguments"] }
            for entry in annotations.entries {
                guard case .value(let text, _) = MCPParamArgument.find(entry.path, in: arguments, type: entry.type) else { continue }
                lines.append((entry.headerName, MCPHeaderValue.encode(text)))
            }
        }
        if let incoming {
            for param in incoming.unrecognizedParams(annotations) {
                lines.append((param.name, param.value))
            }
        }
        return lines
    }
}
