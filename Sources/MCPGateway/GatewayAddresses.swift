/// Where a started ``Gateway`` serves.
public struct GatewayAddresses: Sendable, Equatable {
    /// Which front runs.
    public var front: Gateway.Front
    /// The HTTP base URL of the fronts (`http://host:port`); nil for stdio.
    public var url: String?
    /// The Streamable HTTP endpoint, the legacy SSE endpoint and the WebSocket endpoint.
    public var mcp: String?
    public var sse: String?
    public var webSocket: String?
    /// The admin listener's base URL, when one is configured.
    public var admin: String?

    /// The addresses as a JSON object (the C API's `mcpproxy_addresses`).
    public var json: String {
        var fields = [#""front":"\#(front == .network ? "network" : "stdio")""#]
        for (key, value) in [("url", url), ("mcp", mcp), ("sse", sse), ("ws", webSocket), ("admin", admin)] {
            if let value { fields.append(#""\#(key)":"\#(value)""#) }
        }
        return "{" + fields.joined(separator: ",") + "}"
    }
}
