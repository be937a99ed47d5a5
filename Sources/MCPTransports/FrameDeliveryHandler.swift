import NIOCore

/// Hands decoded lines (and skipped oversized ones) to a `MessageSink` and reports the end of
/// the stream.
final class FrameDeliveryHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer

    private let sink: any MessageSink
    private let onInactive: @Sendable (TransportCloseReason) -> Void

    init(sink: any MessageSink, onInactive: @escaping @Sendable (TransportCloseReason) -> Void) {
        self.sink = sink
        self.onInactive = onInactive
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        sink.transportReceived(.message(unwrapInboundIn(data)))
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let oversized = event as? OversizedLine {
            sink.transportReceivedOversized(
                OversizedFrame(byteCount: oversized.byteCount, limit: oversized.limit, prefix: oversized.head, suffix: oversized.tail))
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        onInactive(.endOfStream)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let event = error as? ChannelError, event == .eof {
            return
        }
        onInactive(.failed("\(error)"))
        context.close(promise: nil)
    }
}
