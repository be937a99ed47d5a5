import JSONRPC
import NIOCore

/// Error responses that a network transport writes in place of an answer the server never gave,
/// so that the proxy's pending request completes.
enum UpstreamFailure {
    /// `{"jsonrpc":"2.0","id":<id>,"error":{"code":-32000,"message":…}}`.
    static func response(idBytes: [UInt8], message: String) -> ByteBuffer {
        JSONRPCEncoder.errorResponse(idBytes: idBytes, code: .connectionClosed, message: message)
    }
}
