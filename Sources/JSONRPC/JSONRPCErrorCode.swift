/// A JSON-RPC error code (`error.code`), with the codes JSON-RPC 2.0 and MCP use.
public struct JSONRPCErrorCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The integer sent on the wire.
    public var rawValue: Int

    /// Wraps any integer code.
    public init(rawValue: Int) {
        self.rawValue = rawValue
    }

    /// -32700: the frame is not valid JSON (also used for too large or too deeply nested frames).
    public static let parseError = JSONRPCErrorCode(rawValue: -32700)
    /// -32600: valid JSON but not a valid JSON-RPC message.
    public static let invalidRequest = JSONRPCErrorCode(rawValue: -32600)
    /// -32601: the method does not exist or is not offered.
    public static let methodNotFound = JSONRPCErrorCode(rawValue: -32601)
    /// -32602: the params are wrong (unknown tool, bad cursor, unsupported version, ...).
    public static let invalidParams = JSONRPCErrorCode(rawValue: -32602)
    /// -32603: the receiver failed internally.
    public static let internalError = JSONRPCErrorCode(rawValue: -32603)
    /// -32000: the connection closed before the answer came (TypeScript SDK convention).
    public static let connectionClosed = JSONRPCErrorCode(rawValue: -32000)
    /// -32001: the request timed out (TypeScript SDK convention).
    public static let requestTimeout = JSONRPCErrorCode(rawValue: -32001)
    /// -32002: the resource does not exist (MCP resources, 2024-11-05 to 2025-11-25).
    public static let resourceNotFound = JSONRPCErrorCode(rawValue: -32002)
    /// -32042: a URL-mode elicitation is required first (MCP 2025-11-25).
    public static let urlElicitationRequired = JSONRPCErrorCode(rawValue: -32042)

    /// The decimal code.
    public var description: String { String(rawValue) }
}
