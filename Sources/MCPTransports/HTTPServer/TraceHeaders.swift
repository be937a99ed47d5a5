import JSONRPC
import NIOCore

/// W3C trace context sent as HTTP headers (`traceparent`, `tracestate`) on a POST of one
/// request: copied into the request's `params._meta` when the message carries none of its own,
/// so that the proxy's tracing (which reads `_meta`, the MCP way) continues the caller's trace
/// either way. A `_meta.traceparent` in the message wins over the headers.
enum TraceHeaders {
    static func body(of request: HTTPFrontRequest, frame: ScannedFrame) -> ByteBuffer {
        guard let traceparent = request.header("traceparent"), case .single(let message) = frame,
              message.envelope.kind == .request, isPrintableASCII(traceparent) else { return request.body }
        if let params = message.envelope.paramsRange, JSONView(message: message, range: params)["_meta"]?["traceparent"] != nil {
            return request.body
        }
        var values = ["traceparent": traceparent]
        if let state = request.header("tracestate"), isPrintableASCII(state) { values["tracestate"] = state }
        return message.splicing(MetaInjection.splices(values, into: message))
    }

    private static func isPrintableASCII(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 512 && text.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F }
    }
}
