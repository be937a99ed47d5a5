import NIOCore
import NIOHTTP1

/// Answers requests for a configured ``HTTPStaticDocument``: GET with the document,
/// OPTIONS as a CORS preflight, anything else 405. Any origin may read it.
enum StaticDocumentResponse {
    static func answer(_ head: HTTPRequestHead, with document: HTTPStaticDocument, responder: HTTPResponder) {
        var headers = HTTPHeaders()
        headers.add(name: "access-control-allow-origin", value: "*")
        switch head.method {
        case .GET:
            headers.add(name: "content-type", value: document.contentType)
            headers.add(name: "cache-control", value: "public, max-age=\(document.maxAgeSeconds)")
            var body = responder.channel.allocator.buffer(capacity: document.body.count)
            body.writeBytes(document.body)
            responder.respond(status: .ok, headers: headers, body: body)
        case .OPTIONS:
            headers.add(name: "access-control-allow-methods", value: "GET, OPTIONS")
            headers.add(name: "access-control-allow-headers", value: "mcp-protocol-version")
            headers.add(name: "access-control-max-age", value: "86400")
            responder.respond(status: .noContent, headers: headers)
        default:
            headers.add(name: "allow", value: "GET, OPTIONS")
            responder.reject(.methodNotAllowed, "\(head.method) is not allowed here; use GET", headers: headers)
        }
    }
}
