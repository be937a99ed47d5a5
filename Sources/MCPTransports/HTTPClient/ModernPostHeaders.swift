import JSONRPC
import NIOCore

/// The 2026-07-28 side of a Streamable HTTP upstream: which outgoing messages are modern, the
/// routing headers their POSTs carry, and a modern server's JSON-RPC error that came with an
/// HTTP 4xx.
///
/// Only messages whose `params._meta` carries the 2026-07-28 envelope (a flag the scan sets
/// anyway) pay for any of it; handshake-era traffic is untouched.
enum ModernPostHeaders {
    /// The headers of a modern request's POST, read from the message exactly as it goes out (so a
    /// renamed tool's `Mcp-Name` is the upstream's name, as the body's): `MCP-Protocol-Version`
    /// (the body's `_meta` version), `Mcp-Method`, `Mcp-Name` for `tools/call`, `prompts/get` and
    /// `resources/read`, and `Mcp-Param-*` for the arguments that `annotations` (the upstream's
    /// `x-mcp-header` tags of the called tool) name. Empty when the message carries no envelope or
    /// its version is not a string (the upstream will refuse it and say why).
    static func lines(for message: JSONRPCMessage, annotations: XMCPHeaderAnnotations?) -> [(name: String, value: String)] {
        guard message.envelope.hasModernEnvelope, let params = message.envelope.paramsRange,
              let version = JSONView(message: message, range: params)["_meta"]?[ModernMetaKey.protocolVersion]?.string else { return [] }
        return ModernHeaderWriter.headers(for: message, protocolVersion: version, annotations: annotations).map { (name: $0.0, value: $0.1) }
    }

    /// A modern server's error answer to a POST (an HTTP 4xx whose body is a JSON-RPC error, such
    /// as 400 with -32022, -32020 or -32602, or 404 with -32601), as the error response to the
    /// request with id `idBytes` (servers may answer `"id": null` when they refuse early). Nil
    /// when `body` is not a JSON-RPC error response.
    static func errorReply(_ body: ByteBuffer, idBytes: [UInt8], scanner: JSONRPCScanner) -> ByteBuffer? {
        guard let message = try? scanner.scanMessage(body), message.envelope.kind == .errorResponse,
              let errorRange = message.envelope.errorRange else { return nil }
        let error = message.rawBytes(errorRange)
        var reply = ByteBufferAllocator().buffer(capacity: error.count + idBytes.count + 36)
        reply.writeString("{\"jsonrpc\":\"2.0\",\"id\":")
        reply.writeBytes(idBytes)
        reply.writeString(",\"error\":")
        reply.writeBytes(error)
        reply.writeString("}")
        return reply
    }
}
