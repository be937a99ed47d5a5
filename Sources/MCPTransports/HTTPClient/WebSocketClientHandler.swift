import NIOCore
import NIOWebSocket

/// The last handler of an upgraded WebSocket client pipeline: text and binary messages go to the
/// sink, pings are answered, a close frame is answered and ends the connection.
final class WebSocketClientHandler: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    private let gate: SinkGate
    private let maxMessageBytes: Int
    private let closingLocally: @Sendable () -> Bool
    private let ended: @Sendable (TransportCloseReason) -> Void
    private var reason: TransportCloseReason?

    init(
        gate: SinkGate, maxMessageBytes: Int, closingLocally: @escaping @Sendable () -> Bool,
        ended: @escaping @Sendable (TransportCloseReason) -> Void
    ) {
        self.gate = gate
        self.maxMessageBytes = maxMessageBytes
        self.closingLocally = closingLocally
        self.ended = ended
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .text, .binary:
            gate.deliver(.message(frame.unmaskedData))
        case .ping:
            let pong = WebSocketFrame(fin: true, opcode: .pong, maskKey: .random(), data: frame.unmaskedData)
            context.writeAndFlush(wrapOutboundOut(pong), promise: nil)
        case .connectionClose:
            if reason == nil { reason = .endOfStream }
            guard !closingLocally() else {
                // The answer to our own close frame: the handshake is complete.
                context.close(promise: nil)
                return
            }
            // Echo the peer's status code, then close the connection.
            var payload = frame.unmaskedData
            let code = payload.readableBytes >= 2 ? payload.readSlice(length: 2) : nil
            let echo = WebSocketFrame(
                fin: true, opcode: .connectionClose, maskKey: .random(),
                data: code ?? context.channel.allocator.buffer(capacity: 0))
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(echo)).whenComplete { _ in
                channel.close(promise: nil)
            }
        default:
            break
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        ended(reason ?? .endOfStream)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if reason == nil {
            reason = .failed(Self.describe(error, limit: maxMessageBytes))
        }
        context.close(promise: nil)
    }

    private static func describe(_ error: any Error, limit: Int) -> String {
        if let error = error as? NIOWebSocketError, error == .invalidFrameLength {
            return "the server sent a message over the limit of \(limit) bytes (maxMessageBytes); the connection was closed"
        }
        if let error = error as? NIOWebSocketFrameAggregator.Error, error == .accumulatedFrameSizeIsTooLarge {
            return "the server sent a message over the limit of \(limit) bytes (maxMessageBytes); the connection was closed"
        }
        return "WebSocket error: \(error)"
    }
}
