/// The reserved `_meta` keys of MCP 2026-07-28 (the per-request envelope and its result-side
/// counterparts). Key names are case-sensitive and compared after JSON unescaping.
public enum ModernMetaKey {
    /// `params._meta["io.modelcontextprotocol/protocolVersion"]`: the request's protocol version (required).
    public static let protocolVersion = "io.modelcontextprotocol/protocolVersion"
    /// `params._meta["io.modelcontextprotocol/clientCapabilities"]`: the client's capabilities (required).
    public static let clientCapabilities = "io.modelcontextprotocol/clientCapabilities"
    /// `params._meta["io.modelcontextprotocol/clientInfo"]`: the client's `Implementation` (SHOULD).
    public static let clientInfo = "io.modelcontextprotocol/clientInfo"
    /// `params._meta["io.modelcontextprotocol/logLevel"]`: opt-in to `notifications/message` for this request.
    public static let logLevel = "io.modelcontextprotocol/logLevel"
    /// `result._meta["io.modelcontextprotocol/serverInfo"]`: the server's `Implementation` (SHOULD).
    public static let serverInfo = "io.modelcontextprotocol/serverInfo"
    /// `params._meta["io.modelcontextprotocol/subscriptionId"]` on notifications of a `subscriptions/listen` stream.
    public static let subscriptionId = "io.modelcontextprotocol/subscriptionId"

    /// The four request envelope keys, in the order the Python SDK writes them (logLevel last).
    public static let requestEnvelope: [String] = [protocolVersion, clientInfo, clientCapabilities, logLevel]
}
