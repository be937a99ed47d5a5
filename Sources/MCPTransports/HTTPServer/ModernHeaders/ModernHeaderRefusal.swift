import JSONRPC
import NIOCore

/// Why a 2026-07-28 POST's headers disagree with its body: answer HTTP 400 with the JSON-RPC
/// error -32020 (HeaderMismatch) and `message`, which reads as the official Python SDK's.
/// A client that gets one for `Mcp-Param-*` should list tools again and retry.
public struct ModernHeaderRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    /// The JSON-RPC error code, -32020 (HeaderMismatch).
    public static let code = JSONRPCErrorCode(rawValue: -32020)
    /// The HTTP status the spec requires, 400.
    public static let httpStatus = 400

    /// What disagrees.
    public enum Reason: Sendable, Equatable {
        /// A routing header (lowercase name) appears more than once.
        case duplicatedRoutingHeader(String)
        /// `MCP-Protocol-Version` is missing or differs from `_meta`'s protocol version.
        case protocolVersion
        /// `Mcp-Method` is missing or differs from `method`.
        case method
        /// `Mcp-Name` is missing, undecodable or differs from `params.<key>` (`name` or `uri`).
        case name(key: String)
        /// An annotated `Mcp-Param-*` header appears more than once.
        case paramDuplicated(header: String)
        /// An annotated header is present but its argument is absent or null.
        case paramWithoutArgument(header: String, argument: String)
        /// An argument is present but its annotated header is missing.
        case paramMissing(header: String, argument: String)
        /// The header carries a `=?base64?…?=` value that does not decode.
        case paramMalformed(header: String)
        /// The header is not sentinel-shaped and holds a character other than tab or printable ASCII.
        case paramInvalidCharacters(header: String)
        /// The header's value differs from the argument (or the argument has no header form).
        case paramMismatch(header: String, argument: String)
        /// A key on the argument's path appears more than once in the body.
        case argumentAmbiguous(header: String, argument: String)
    }

    /// What disagrees.
    public var reason: Reason

    /// Creates a refusal.
    public init(_ reason: Reason) {
        self.reason = reason
    }

    /// The JSON-RPC error message.
    public var message: String {
        switch reason {
        case .duplicatedRoutingHeader(let name):
            return "\(name) header appears more than once"
        case .protocolVersion:
            return "mcp-protocol-version header does not match the request envelope's protocol version"
        case .method:
            return "mcp-method header does not match the request body's method"
        case .name(let key):
            return "mcp-name header does not match the request body's '\(key)' parameter"
        case .paramDuplicated(let header):
            return "\(header) header appears more than once"
        case .paramWithoutArgument(let header, let argument):
            return "\(header) header is present but the request body's '\(argument)' argument is absent"
        case .paramMissing(let header, let argument):
            return "\(header) header is missing but the request body's '\(argument)' argument is present"
        case .paramMalformed(let header):
            return "\(header) header carries a malformed base64 sentinel value"
        case .paramInvalidCharacters(let header):
            return "\(header) header carries characters outside printable ASCII; send such values as =?base64?…?="
        case .paramMismatch(let header, let argument):
            return "\(header) header does not match the request body's '\(argument)' argument"
        case .argumentAmbiguous(let header, let argument):
            return "\(header) header cannot be checked: the request body's '\(argument)' argument appears more than once"
        }
    }

    /// The JSON-RPC code, -32020.
    public var code: JSONRPCErrorCode { Self.code }

    /// The HTTP status, 400.
    public var httpStatus: Int { Self.httpStatus }

    /// The error response body, echoing the request id token (`null` when nil).
    public func errorResponse(idBytes: [UInt8]?) -> ByteBuffer {
        JSONRPCEncoder.errorResponse(idBytes: idBytes, code: Self.code, message: message)
    }

    /// `-32020: <message>`.
    public var description: String { "\(Self.code.rawValue): \(message)" }
}
