import JSONRPC

/// An upstream's error answer to the proxy's `server/discover` probe, as the era probe reads it:
/// the code, a sentence for messages, and (for -32022) `data.supported`, the versions the
/// upstream speaks.
struct DiscoverRefusal {
    /// `error.code` (-32603 when missing).
    var code: Int
    /// `<message> (<code>)`, plus the supported versions when listed.
    var text: String
    /// `error.data.supported` (strings only; empty when absent).
    var supported: [String]

    /// Reads the error response `message`.
    init(_ message: JSONRPCMessage) {
        code = message.envelope.errorCode ?? JSONRPCErrorCode.internalError.rawValue
        let error = message.envelope.errorRange.map { JSONView(message: message, range: $0) }
        let said = error?["message"]?.string ?? "error"
        supported = (error?["data"]?["supported"]?.elements ?? []).compactMap(\.string)
        text = supported.isEmpty ? "\(said) (\(code))" : "\(said) (\(code); supported: \(supported.joined(separator: ", ")))"
    }
}
