extension JSONRPCErrorCode {
    /// -32020 (2026-07-28): an HTTP routing header (`MCP-Protocol-Version`, `Mcp-Method`,
    /// `Mcp-Name`, `Mcp-Param-*`) disagrees with the body. HTTP 400.
    public static let headerMismatch = JSONRPCErrorCode(rawValue: -32020)
    /// -32021 (2026-07-28): the request needs a client capability its envelope does not declare;
    /// `data.requiredCapabilities` names it. HTTP 400.
    public static let missingRequiredClientCapability = JSONRPCErrorCode(rawValue: -32021)
    /// -32022 (2026-07-28): the envelope's protocol version is not served;
    /// `data = {"supported": [...], "requested": "..."}`. HTTP 400.
    public static let unsupportedProtocolVersion = JSONRPCErrorCode(rawValue: -32022)
}
