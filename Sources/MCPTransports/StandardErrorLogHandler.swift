import Logging
import NIOCore

/// Logs each line a child writes to stderr. Stderr is the child's log, not an error signal.
final class StandardErrorLogHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer

    private let logger: Logger

    init(logger: Logger) {
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        logger.info("\(String(buffer: unwrapInboundIn(data)))", metadata: ["source": "stderr"])
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let oversized = event as? OversizedLine {
            logger.info("(\(oversized.byteCount) bytes of stderr without a line break skipped)", metadata: ["source": "stderr"])
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
