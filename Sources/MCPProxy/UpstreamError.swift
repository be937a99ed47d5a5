import JSONRPC

/// Why a request to an upstream could not be answered by it.
public struct UpstreamError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What happened.
    public enum Kind: Sendable, Equatable {
        /// The upstream is not running (failed to start, exited, or was closed).
        case unavailable
        /// No answer within the time allowed.
        case timeout
        /// The upstream answered with a JSON-RPC error.
        case remote(code: Int)
        /// The upstream answered with something the proxy cannot use.
        case protocolViolation
    }

    /// What happened.
    public var kind: Kind
    /// The upstream's name.
    public var upstream: String
    /// A sentence that says what went wrong and what to check.
    public var message: String

    /// Creates an error.
    public init(_ kind: Kind, upstream: String, message: String) {
        self.kind = kind
        self.upstream = upstream
        self.message = message
    }

    public var description: String { "upstream '\(upstream)': \(message)" }

    /// The JSON-RPC code a client is given for this error.
    public var code: JSONRPCErrorCode {
        switch kind {
        case .unavailable: return .connectionClosed
        case .timeout: return .requestTimeout
        case .remote(let code): return JSONRPCErrorCode(rawValue: code)
        case .protocolViolation: return .internalError
        }
    }
}
