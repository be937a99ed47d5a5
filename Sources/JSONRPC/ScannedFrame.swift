/// A frame is one message or a batch (a JSON array, MCP 2025-03-26 only).
public enum ScannedFrame: Sendable {
    /// One message.
    case single(JSONRPCMessage)
    /// A batch; each element was validated on its own, in order.
    case batch([Result<JSONRPCMessage, JSONRPCScanError>])
}
