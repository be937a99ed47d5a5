import NIOCore

/// One client-to-server request as it enters the pipeline: the message the scanner already
/// found (bytes and envelope), nothing decoded beyond that.
public struct MCPCall: Sendable {
    /// The scanned message; its bytes are passed on unchanged unless a stage adds a splice.
    public let message: JSONRPCMessage
    /// The request's method.
    public let method: MCPMethod
    /// The client's id token exactly as sent.
    public let idBytes: [UInt8]
    /// When the request arrived (monotonic nanoseconds).
    public let receivedAt: UInt64
    /// Edits a stage wants applied to the bytes that go upstream (ranges relative to the
    /// message, as the envelope gives them); the terminal applies them with its own in one pass.
    public var splices: [ByteSplice] = []
    /// The item's name as the proxy's main path exposes it, when the client used another one (a
    /// virtual endpoint's rename); nil otherwise. ``name`` returns it, so stages always see the
    /// main path's name.
    public var exposedName: String?

    /// Creates a call from a scanned request.
    public init(message: JSONRPCMessage, method: MCPMethod, idBytes: [UInt8], receivedAt: UInt64) {
        self.message = message
        self.method = method
        self.idBytes = idBytes
        self.receivedAt = receivedAt
    }

    /// The exposed tool or prompt name: `params.name` as the client sent it, or the main path's
    /// name when the client called it at a virtual endpoint (``exposedName``).
    @inlinable public var name: String? { exposedName ?? message.envelope.name }
    /// `params.uri` as the client sent it (the exposed resource URI).
    @inlinable public var uri: String? { message.envelope.uri }
}
