import Logging
import NIOCore

/// Logs each line a child writes to stderr. Stderr is the child's log, not an error signal.
final class StandardErrorLogHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = InboundFrame

    private let logger: Logger

    init(logger: Logger) {
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .message(let line):
            logger.info("\(String(buffer: line))", metadata: ["source": "stderr"])
        case .oversized(let count, _):
            logger.info("(\(count) bytes of stderr without a line break skipped)", metadata: ["source": "stderr"])
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
