import JSONRPC

/// Checks a 2026-07-28 POST's mirrored headers against its scanned JSON-RPC body, reading only
/// the members it needs from the scanned bytes (`Envelope`, `JSONView`); nothing is decoded into
/// Foundation objects.
///
/// Two rungs of the modern validation ladder, in the Python SDK's order:
/// - `routing` (rung 2, every modern request): duplicated routing headers, then
///   `MCP-Protocol-Version` against `params._meta["io.modelcontextprotocol/protocolVersion"]`,
///   `Mcp-Method` against `method`, and `Mcp-Name` (decoded) against `params.name`
///   (`tools/call`, `prompts/get`) or `params.uri` (`resources/read`) when the body has one;
/// - `params` (rung 5, `tools/call` only, after the supported-version rung): every argument the
///   tool annotates with `x-mcp-header` against its `Mcp-Param-<token>` header.
///
/// Each returns nil when the headers agree, else the refusal to answer (400, -32020).
public enum ModernHeaderCheck {
    /// The `_meta` key holding a modern request's protocol version.
    public static let protocolVersionMetaKey = "io.modelcontextprotocol/protocolVersion"

    /// Both rungs: `routing`, then (when `annotations` is given) `params`. Use the two calls
    /// separately to put the supported-version check (-32022) between them, as the SDK does.
    public static func check(
        _ headers: ModernRequestHeaders, request: JSONRPCMessage, annotations: XMCPHeaderAnnotations?
    ) -> ModernHeaderRefusal? {
        if let refusal = routing(headers, request: request) { return refusal }
        guard let annotations else { return nil }
        return params(headers, request: request, annotations: annotations)
    }

    /// Rung 2: the routing headers against the body. A missing header is a mismatch.
    public static func routing(_ headers: ModernRequestHeaders, request: JSONRPCMessage) -> ModernHeaderRefusal? {
        if let duplicated = headers.duplicatedRoutingHeader {
            return ModernHeaderRefusal(.duplicatedRoutingHeader(duplicated))
        }
        let envelope = request.envelope
        let params = envelope.paramsRange.map { JSONView(message: request, range: $0) }
        let bodyVersion = params?["_meta"]?[protocolVersionMetaKey]?.string
        guard let version = headers.protocolVersion, let bodyVersion, version == bodyVersion else {
            return ModernHeaderRefusal(.protocolVersion)
        }
        guard let method = envelope.method, headers.method == method.name else {
            return ModernHeaderRefusal(.method)
        }
        let key: String
        let bodyName: String?
        switch method {
        case .toolsCall, .promptsGet:
            (key, bodyName) = ("name", envelope.name)
        case .resourcesRead:
            (key, bodyName) = ("uri", envelope.uri)
        default:
            return nil
        }
        if let bodyName {
            guard let header = headers.name, MCPHeaderValue.decode(header) == bodyName else {
                return ModernHeaderRefusal(.name(key: key))
            }
            return nil
        }
        // Not a string: absent or null needs no header; any other value can never match one.
        if let value = params?[key], !value.isNull {
            return ModernHeaderRefusal(.name(key: key))
        }
        return nil
    }

    /// Rung 5 (`tools/call` only; nil for other methods): each annotated argument that is present
    /// and not null needs its `Mcp-Param-<token>` header (exactly once) with a matching value,
    /// and a header whose argument is absent or null is refused. An integer argument compares
    /// numerically with a plain decimal header (`42` matches `42.0`). Headers the annotations do
    /// not name are not checked (an intermediary forwards them: `unrecognizedParams`). When
    /// `params.arguments` is present but not an object, nothing is checked (the tool rejects it).
    public static func params(
        _ headers: ModernRequestHeaders, request: JSONRPCMessage, annotations: XMCPHeaderAnnotations
    ) -> ModernHeaderRefusal? {
        guard request.envelope.method == .toolsCall, !annotations.isEmpty else { return nil }
        let arguments = request.envelope.paramsRange.flatMap { JSONView(message: request, range: $0)["arguments"] }
        if let arguments, arguments.kind != .object, !arguments.isNull { return nil }
        for entry in annotations.entries {
            let header = entry.headerName
            let argumentName = entry.argumentName
            let values = headers.paramValues(token: entry.token)
            if values.count > 1 { return ModernHeaderRefusal(.paramDuplicated(header: header)) }
            let raw = values.first
            let argument = MCPParamArgument.find(entry.path, in: arguments, type: entry.type)
            switch argument {
            case .absent:
                if raw != nil { return ModernHeaderRefusal(.paramWithoutArgument(header: header, argument: argumentName)) }
            case .ambiguous:
                return ModernHeaderRefusal(.argumentAmbiguous(header: header, argument: argumentName))
            case .unrenderable:
                if raw != nil { return ModernHeaderRefusal(.paramMismatch(header: header, argument: argumentName)) }
            case .value:
                guard let raw else { return ModernHeaderRefusal(.paramMissing(header: header, argument: argumentName)) }
                guard let decoded = MCPHeaderValue.decode(raw) else {
                    return MCPHeaderValue.isSentinelShaped(raw)
                        ? ModernHeaderRefusal(.paramMalformed(header: header))
                        : ModernHeaderRefusal(.paramInvalidCharacters(header: header))
                }
                guard argument.matches(header: decoded, type: entry.type) else {
                    return ModernHeaderRefusal(.paramMismatch(header: header, argument: argumentName))
                }
            }
        }
        return nil
    }
}
