/// Why a frame (or one batch element) was rejected, with the JSON-RPC error code to answer with.
public struct JSONRPCScanError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The class of failure.
    public enum Kind: Sendable, Equatable {
        /// Not valid JSON (RFC 8259). Answer -32700 with `"id":null`.
        case parseError
        /// Valid JSON, but not a valid JSON-RPC 2.0 / MCP message. Answer -32600.
        case invalidRequest
        /// Larger than `ScanLimits.maxMessageBytes`. Answer -32700.
        case messageTooLarge
        /// Nested deeper than `ScanLimits.maxDepth`. Answer -32700.
        case nestingTooDeep
        /// A batch that is an empty array. Answer -32600.
        case emptyBatch
    }

    /// The class of failure.
    public var kind: Kind
    /// Human text: what is wrong, where (byte offset) and what to do about it.
    public var message: String
    /// Byte offset of the problem, relative to the scanned buffer's readerIndex, when known.
    public var offset: Int?
    /// The request id token exactly as sent, when it could be recovered (so the error response can carry it).
    public var idBytes: [UInt8]?

    /// Creates an error.
    public init(kind: Kind, message: String, offset: Int? = nil, idBytes: [UInt8]? = nil) {
        self.kind = kind
        self.message = message
        self.offset = offset
        self.idBytes = idBytes
    }

    /// The code to answer with: -32700 for parse errors, too large and too deep; -32600 otherwise.
    public var code: JSONRPCErrorCode {
        switch kind {
        case .parseError, .messageTooLarge, .nestingTooDeep: return .parseError
        case .invalidRequest, .emptyBatch: return .invalidRequest
        }
    }

    /// `kind: message`.
    public var description: String { "\(kind): \(message)" }
}
