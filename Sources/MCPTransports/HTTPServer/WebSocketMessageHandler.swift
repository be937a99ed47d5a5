import NIOCore
import NIOWebSocket

/// Turns WebSocket frames into session messages: text messages (fragmented or not, at most
/// `maxMessageBytes`), pings answered with pongs, close frames answered and the connection closed.
final class WebSocketMessageHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    private let session: WebSocketSession
    private let maxMessageBytes: Int
    private var fragments: ByteBuffer?

    init(session: WebSocketSession, maxMessageBytes: Int) {
        self.session = session
        self.maxMessageBytes = maxMessageBytes
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .text:
            guard fragments == nil else {
                session.sendCloseOnLoop(.protocolError)
                return
            }
            if frame.fin {
                session.receiveOnLoop(frame.unmaskedData)
            } else {
                fragments = frame.unmaskedData
            }
        case .continuation:
            guard var buffer = fragments else {
                session.sendCloseOnLoop(.protocolError)
                return
            }
            fragments = nil
            var part = frame.unmaskedData
            guard buffer.readableBytes + part.readableBytes <= maxMessageBytes else {
                session.sendCloseOnLoop(.messageTooLarge)
                return
            }
            buffer.writeBuffer(&part)
            if frame.fin {
                session.receiveOnLoop(buffer)
            } else {
                fragments = buffer
            }
        case .binary:
            session.sendCloseOnLoop(.unacceptableData)
        case .ping:
            session.pongOnLoop(frame.unmaskedData)
        case .pong:
            break
        case .connectionClose:
            var data = frame.unmaskedData
            let code = data.readWebSocketErrorCode() ?? .normalClosure
            session.sendCloseOnLoop(code)
        default:
            session.sendCloseOnLoop(.protocolError)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        session.connectionClosedOnLoop()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // Protocol errors (an oversized frame, a bad control frame) were already answered with a
        // close frame by NIO's protocol error handler; anything else ends the connection.
        if !(error is NIOWebSocketError) {
            context.close(promise: nil)
        }
    }
}
