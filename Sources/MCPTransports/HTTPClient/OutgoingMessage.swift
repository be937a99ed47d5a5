import JSONRPC
import NIOCore

/// One message from the proxy with the envelope facts a network transport needs.
struct OutgoingMessage: Sendable {
    /// The message as the proxy wrote it.
    var bytes: ByteBuffer
    /// Its kind; nil when it does not scan as JSON-RPC (it is sent anyway).
    var kind: MessageKind?
    /// The request id.
    var id: JSONRPCID?
    /// The id token exactly as sent (for error responses).
    var idBytes: [UInt8]?
    /// The method of a request or notification.
    var method: MCPMethod?
    /// `params.uri` (resources/subscribe and unsubscribe).
    var uri: String?
    /// W3C trace context from `params._meta` (`traceparent`, `tracestate`), sent as HTTP headers
    /// too, so that HTTP-level tracing (a gateway, a service mesh) sees the same trace.
    var traceHeaders: [(name: String, value: String)] = []
    /// It carries the 2026-07-28 envelope: no session, and a 4xx with a JSON-RPC error body is
    /// the server's answer (``ModernPostHeaders``).
    var isModern = false
    /// The 2026-07-28 routing headers of its POST (empty for the handshake era).
    var modernHeaders: [(name: String, value: String)] = []
    /// `notifications/cancelled`: the request it cancels.
    var cancelledID: JSONRPCID?

    /// Scans `bytes` once. `annotations` gives the upstream's `x-mcp-header` tags of a tool; it is
    /// asked only for a 2026-07-28 `tools/call`.
    init(_ bytes: ByteBuffer, scanner: JSONRPCScanner, annotations: (String) -> XMCPHeaderAnnotations? = { _ in nil }) {
        self.bytes = bytes
        if let message = try? scanner.scanMessage(bytes) {
            kind = message.envelope.kind
            id = message.envelope.id
            idBytes = message.idBytes
            method = message.envelope.method
            uri = message.envelope.uri
            traceHeaders = Self.traceHeaders(of: message)
            cancelledID = message.envelope.cancelledRequestID
            if message.envelope.hasModernEnvelope {
                isModern = true
                let tool = message.envelope.method == .toolsCall ? message.envelope.name : nil
                modernHeaders = ModernPostHeaders.lines(for: message, annotations: tool.flatMap(annotations))
            }
        }
    }

    private static let traceparent = Array("\"traceparent\"".utf8)

    /// `traceparent` and `tracestate` from `params._meta`; looked up only when the bytes mention
    /// `"traceparent"` at all.
    static func traceHeaders(of message: JSONRPCMessage) -> [(name: String, value: String)] {
        guard let params = message.envelope.paramsRange,
              message.bytes.containsBytes(traceparent),
              let meta = JSONView(message: message, range: params)["_meta"] else { return [] }
        var headers: [(name: String, value: String)] = []
        for name in ["traceparent", "tracestate"] {
            if let value = meta[name]?.string, !value.isEmpty, value.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) {
                headers.append((name, value))
            }
        }
        return headers
    }

    /// A message built by the transport itself.
    init(bytes: ByteBuffer, kind: MessageKind, id: JSONRPCID?, method: MCPMethod?) {
        self.bytes = bytes
        self.kind = kind
        self.id = id
        self.idBytes = id?.jsonBytes
        self.method = method
    }

    /// Whether the peer will answer it.
    var isRequest: Bool { kind == .request && id != nil }

    /// A short label for logs and errors: the method or the message kind.
    var label: String {
        if let method { return method.name }
        switch kind {
        case .successResponse?, .errorResponse?: return "a response"
        default: return "a message"
        }
    }
}
