import JSONRPC
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOWebSocket

/// One MCP session over a WebSocket connection: one JSON-RPC message per text frame, both ways.
/// The session ends when the connection closes.
final class WebSocketSession: FrontSession {
    private struct LoopState {
        var closeSent = false
    }

    let name: String
    let id: String
    let channel: any Channel
    private let delivery: SinkDelivery
    private let logger: Logger
    private let open = NIOLockedValueBox(true)
    private let loopState: NIOLoopBoundBox<LoopState>
    private let budget: NIOLockedValueBox<WriteBudget>
    private let onEnded: @Sendable (String) -> Void
    /// The principal admitted on the upgrade request.
    let binding: PrincipalBinding

    /// Created on the channel's event loop, once the upgrade is done.
    init(
        channel: any Channel, service: String, maxQueuedBytes: Int, logger: Logger, principal: Principal = .anonymous,
        onEnded: @escaping @Sendable (String) -> Void
    ) {
        let id = SessionIdentifier.make()
        self.id = id
        self.binding = PrincipalBinding(principal)
        self.name = "ws:\(service):\(id.prefix(8))"
        self.channel = channel
        self.delivery = SinkDelivery(eventLoop: channel.eventLoop)
        var logger = logger
        logger[metadataKey: "session"] = "\(id.prefix(8))"
        self.logger = logger
        self.loopState = NIOLoopBoundBox(LoopState(), eventLoop: channel.eventLoop)
        self.budget = NIOLockedValueBox(WriteBudget(limit: maxQueuedBytes))
        self.onEnded = onEnded
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
        let count = message.readableBytes
        let (taken, queued) = budget.withLockedValue { ($0.reserve(count), $0.queued) }
        guard taken else {
            logger.warning(
                "cutting off a WebSocket client that stopped reading",
                metadata: ["queuedBytes": "\(queued)", "limit": "\(budget.withLockedValue { $0.limit })"])
            channel.close(promise: nil)
            terminate(.failed("the client stopped reading and was cut off"))
            return false
        }
        channel.eventLoop.execute { [self] in
            writeOnLoop(message, count: count)
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
        channel.eventLoop.execute { [self] in
            sendCloseOnLoop(.normalClosure)
        }
        logger.info("session ended: \(reason)")
        onEnded(id)
        delivery.finish(reason)
    }

    // MARK: On the event loop (the frame handler)

    /// One complete message from the client.
    func receiveOnLoop(_ message: ByteBuffer) {
        delivery.deliver(.message(message))
    }

    /// Sends a close frame with `code` (once) and closes the connection after it.
    func sendCloseOnLoop(_ code: WebSocketErrorCode) {
        guard !loopState.value.closeSent else { return }
        loopState.value.closeSent = true
        var data = channel.allocator.buffer(capacity: 2)
        data.write(webSocketErrorCode: code)
        let channel = self.channel
        channel.writeAndFlush(WebSocketFrame(fin: true, opcode: .connectionClose, data: data)).whenComplete { _ in
            channel.close(promise: nil)
        }
    }

    /// Answers a ping.
    func pongOnLoop(_ data: ByteBuffer) {
        guard !loopState.value.closeSent else { return }
        channel.writeAndFlush(WebSocketFrame(fin: true, opcode: .pong, data: data), promise: nil)
    }

    /// The connection is gone.
    func connectionClosedOnLoop() {
        terminate(.endOfStream)
    }

    private func writeOnLoop(_ message: ByteBuffer, count: Int) {
        guard !loopState.value.closeSent else {
            budget.withLockedValue { $0.release(count) }
            return
        }
        let promise = channel.eventLoop.makePromise(of: Void.self)
        promise.futureResult.whenComplete { [budget] _ in
            budget.withLockedValue { $0.release(count) }
        }
        channel.writeAndFlush(WebSocketFrame(fin: true, opcode: .text, data: message), promise: promise)
    }
}
