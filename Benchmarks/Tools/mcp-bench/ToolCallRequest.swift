import JSONRPC
import NIOCore

/// Builds `tools/call` requests of about a given size:
/// `{"jsonrpc":"2.0","id":N,"method":"tools/call","params":{"name":"<tool>","arguments":{"text":"xxx…"},"_meta":{"progressToken":N}}}`.
///
/// The progress token equals the id, so a proxy has both an id and a token to rewrite.
struct ToolCallRequest: Sendable {
    private let head: [UInt8]
    private let middle: [UInt8]
    private let tail: [UInt8]

    /// - Parameters:
    ///   - tool: the tool name as the target exposes it.
    ///   - size: the wanted message size in bytes (with a five-digit id); the padding never goes below zero.
    init(tool: String, size: Int) {
        head = Array(#"{"jsonrpc":"2.0","id":"#.utf8)
        var middle = Array(#","method":"tools/call","params":{"name":"#.utf8)
        middle += JSONString.encode(tool)
        middle += Array(#","arguments":{"text":""#.utf8)
        let tail = Array(#""},"_meta":{"progressToken":"#.utf8)
        let fixed = head.count + middle.count + tail.count + 2 * 5 + 3
        middle += [UInt8](repeating: UInt8(ascii: "x"), count: max(0, size - fixed))
        middle += tail
        self.middle = middle
        self.tail = Array("}}}".utf8)
    }

    /// The request with `id` as both the id and the progress token.
    func make(id: Int64, allocator: ByteBufferAllocator) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: head.count + middle.count + tail.count + 40)
        buffer.writeBytes(head)
        buffer.writeString(String(id))
        buffer.writeBytes(middle)
        buffer.writeString(String(id))
        buffer.writeBytes(tail)
        return buffer
    }
}

/// The handshake messages of a client.
enum HandshakeMessages {
    static func initialize(id: Int64, protocolVersion: String) -> ByteBuffer {
        var params = Array(#"{"protocolVersion":"#.utf8)
        params += JSONString.encode(protocolVersion)
        params += Array(#","capabilities":{},"clientInfo":{"name":"mcp-bench","version":"1.0.0"}}"#.utf8)
        return JSONRPCEncoder.request(idBytes: JSONRPCID.number(id).jsonBytes, method: "initialize", params: params)
    }

    static let initialized = JSONRPCEncoder.notification(method: "notifications/initialized", params: nil)

    static func toolsList(id: Int64) -> ByteBuffer {
        JSONRPCEncoder.request(idBytes: JSONRPCID.number(id).jsonBytes, method: "tools/list", params: nil)
    }
}
