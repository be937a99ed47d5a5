import JSONRPC
import Logging
import NIOConcurrencyHelpers
import NIOCore

/// One HTTP+SSE session (MCP 2024-11-05): the client's GET holds the event stream that carries
/// every server message as `event: message`; the client POSTs its messages to
/// `<messagesPath>?sessionId=<id>`. The session ends when the event stream closes.
final class LegacySSESession: FrontSession {
    let name: String
    let id: String
    /// Where the client POSTs its messages.
    let messagesPath: String
    private let responder: HTTPResponder
    private let delivery: SinkDelivery
    private let logger: Logger
    private let open = NIOLockedValueBox(true)
    private let onEnded: @Sendable (String) -> Void
    /// The principal that opened the event stream (refreshed by later POSTs of the same identity).
    let binding: PrincipalBinding

    init(
        id: String, service: String, messagesPath: String, responder: HTTPResponder, logger: Logger,
        principal: Principal = .anonymous, onEnded: @escaping @Sendable (String) -> Void
    ) {
        self.id = id
        self.binding = PrincipalBinding(principal)
        self.name = "sse:\(service):\(id.prefix(8))"
        self.messagesPath = messagesPath
        self.responder = responder
        self.delivery = SinkDelivery(eventLoop: responder.channel.eventLoop)
        var logger = logger
        logger[metadataKey: "session"] = "\(id.prefix(8))"
        self.logger = logger
        self.onEnded = onEnded
    }

    /// Opens the event stream and announces where to POST.
    func begin(keepAliveInterval: Duration) {
        responder.startStream(keepAliveInterval: keepAliveInterval)
        responder.write(SSEEncoder.encode(event: "endpoint", text: "\(messagesPath)?sessionId=\(id)"))
        responder.onClose { [weak self] cause in
            switch cause {
            case .peerClosed:
                self?.terminate(.endOfStream)
            case .overflow:
                self?.terminate(.failed("the client stopped reading its event stream and was cut off"))
            }
        }
    }

    /// Takes one POSTed message; false when the session has ended.
    func receive(_ body: ByteBuffer) -> Bool {
        delivery.deliver(.message(body))
    }

    var principal: Principal {
        binding.current
    }

    func start(sink: any MessageSink) async throws(TransportError) {
        delivery.attach(sink)
    }

    @discardableResult
    func send(_ message: ByteBuffer) -> Bool {
        guard open.withLockedValue({ $0 }) else { return false }
        guard responder.write(SSEEncoder.encode(id: nil, event: "message", data: message)) else {
            terminate(.failed("the client stopped reading its event stream and was cut off"))
            return false
        }
        return true
    }

    func close() async {
        terminate(.closedLocally)
    }

    func terminate(_ reason: TransportCloseReason) {
        let first = open.withLockedValue { open -> Bool in
            defer { open = false }
            return open
        }
        guard first else { return }
        responder.endStream()
        logger.info("session ended: \(reason)")
        onEnded(id)
        delivery.finish(reason)
    }
}
