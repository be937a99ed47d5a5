import JSONRPC
import NIOCore

/// What the Streamable HTTP session needs to know about a message the proxy sends to route it.
enum FrontOutboundMessage {
    /// A response, or a batch array of responses: the ids answered, and the message itself when
    /// it is a single response (to read an `initialize` result).
    case responses([JSONRPCID], single: JSONRPCMessage?)
    /// `notifications/progress` with its token.
    case progress(JSONRPCID?)
    /// Any other request or notification (or bytes that do not scan).
    case other

    init(classifying bytes: ByteBuffer, scanner: JSONRPCScanner) {
        guard let frame = try? scanner.scan(bytes) else {
            self = .other
            return
        }
        switch frame {
        case .single(let message):
            switch message.envelope.kind {
            case .successResponse, .errorResponse:
                self = .responses(message.envelope.id.map { [$0] } ?? [], single: message)
            case .notification where message.envelope.method == .progress:
                self = .progress(message.envelope.progressToken)
            case .request, .notification:
                self = .other
            }
        case .batch(let elements):
            var ids: [JSONRPCID] = []
            for case .success(let message) in elements {
                if message.envelope.kind == .successResponse || message.envelope.kind == .errorResponse, let id = message.envelope.id {
                    ids.append(id)
                }
            }
            self = ids.isEmpty ? .other : .responses(ids, single: nil)
        }
    }

    /// For the response to `initialize`: nil when it failed, else the protocol version it chose.
    static func negotiatedVersion(_ response: JSONRPCMessage?) -> ProtocolVersion?? {
        guard let response, response.envelope.kind == .successResponse, let range = response.envelope.resultRange else {
            return .none
        }
        return .some(JSONView(message: response, range: range)["protocolVersion"]?.string.map(ProtocolVersion.init(rawValue:)))
    }
}
