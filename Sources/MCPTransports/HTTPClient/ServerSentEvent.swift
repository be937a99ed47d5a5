import NIOCore

/// One event dispatched by a `ServerSentEventParser` (WHATWG HTML, "server-sent events").
public struct ServerSentEvent: Sendable, Equatable {
    /// The `event` field, or `message` when the event had none.
    public var type: String
    /// The `data` lines joined with LF (no trailing LF).
    public var data: ByteBuffer
    /// The stream's last event id when this event was dispatched (empty when none was ever set).
    public var lastEventID: String

    /// Creates an event.
    public init(type: String, data: ByteBuffer, lastEventID: String) {
        self.type = type
        self.data = data
        self.lastEventID = lastEventID
    }

    /// Whether this is a `message` event, the only type MCP uses for JSON-RPC messages.
    public var isMessage: Bool { type == "message" }
}

/// What a `ServerSentEventParser` hands out.
public enum ServerSentEventOutput: Sendable, Equatable {
    /// A complete event.
    case event(ServerSentEvent)
    /// An event whose data was larger than the parser's limit; its data was discarded.
    case oversized(type: String, byteCount: Int, lastEventID: String)
}
