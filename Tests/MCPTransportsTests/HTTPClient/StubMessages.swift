import JSONRPC
import NIOCore

/// Messages the proxy would send upstream, and small helpers for the remote transport tests.
enum StubMessages {
    static let initializeParams = #"{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"mcp-proxy","version":"1"}}"#

    static func initialize(id: Int) -> ByteBuffer {
        request(id: id, method: "initialize", params: initializeParams)
    }

    static let initialized = JSONRPCEncoder.notification(method: "notifications/initialized", params: nil)

    static func call(id: Int, tool: String) -> ByteBuffer {
        request(id: id, method: "tools/call", params: #"{"name":"\#(tool)","arguments":{}}"#)
    }

    static func request(id: Int, method: String, params: String? = nil) -> ByteBuffer {
        JSONRPCEncoder.request(idBytes: Array(String(id).utf8), method: method, params: params.map { Array($0.utf8) })
    }

    /// The error response fields of a message, if it is one.
    static func error(in text: String) -> (id: JSONRPCID?, code: Int?, message: String?)? {
        guard let message = try? JSONRPCScanner().scanMessage(ByteBuffer(string: text)),
              message.envelope.kind == .errorResponse, let range = message.envelope.errorRange
        else { return nil }
        return (message.envelope.id, message.envelope.errorCode, JSONView(message: message, range: range)["message"]?.string)
    }
}

/// Polls until `condition` holds or `seconds` pass; returns whether it held.
func pollUntil(seconds: Double = 10, _ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    while ContinuousClock.now < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return condition()
}
