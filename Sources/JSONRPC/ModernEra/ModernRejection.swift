import NIOCore

/// A modern-era request refused before (or instead of) dispatch: the JSON-RPC error to send and
/// the HTTP status that goes with it.
public struct ModernRejection: Error, Sendable, Equatable, CustomStringConvertible {
    /// `error.code`.
    public var code: JSONRPCErrorCode
    /// `error.message`.
    public var message: String
    /// `error.data` as raw JSON, or nil to omit it.
    public var data: [UInt8]?

    /// Creates a rejection.
    public init(code: JSONRPCErrorCode, message: String, data: [UInt8]? = nil) {
        self.code = code
        self.message = message
        self.data = data
    }

    /// The HTTP status for this code (`ModernRejection.httpStatus(for:)`).
    public var httpStatus: Int { ModernRejection.httpStatus(for: code) }

    /// The error response, e.g. `{"jsonrpc":"2.0","id":2,"error":{"code":-32022,...}}`; `idBytes`
    /// nil writes `"id":null`.
    public func response(idBytes: [UInt8]?) -> ByteBuffer {
        JSONRPCEncoder.errorResponse(idBytes: idBytes, code: code, message: message, data: data)
    }

    /// The SDK's `ERROR_CODE_HTTP_STATUS` table (2026-07-28): 400 for -32700, -32600, -32602,
    /// -32020, -32021 and -32022; 404 for -32601; 200 (error in the body) for anything else.
    public static func httpStatus(for code: JSONRPCErrorCode) -> Int {
        switch code {
        case .parseError, .invalidRequest, .invalidParams, .headerMismatch, .missingRequiredClientCapability,
            .unsupportedProtocolVersion:
            return 400
        case .methodNotFound:
            return 404
        default:
            return 200
        }
    }

    /// The message and code text.
    public var description: String { "\(code): \(message)" }
}
