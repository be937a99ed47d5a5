import Logging
import NIOCore
import NIOHTTP1

/// The last handler of an HTTP connection: gathers each request's body (at most `maxBodyBytes`,
/// 413 beyond) and hands the complete request to the router with a responder for its answer.
final class HTTPConnectionHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private enum State {
        case idle
        case receiving(HTTPRequestHead, ByteBuffer?)
        case discarding
    }

    private var state = State.idle
    private var current: HTTPResponder?
    private let maxBodyBytes: Int
    private let maxQueuedBytes: Int
    private let logger: Logger
    private let dispatch: @Sendable (HTTPFrontRequest, HTTPResponder) -> Void

    init(maxBodyBytes: Int, maxQueuedBytes: Int, logger: Logger, dispatch: @escaping @Sendable (HTTPFrontRequest, HTTPResponder) -> Void) {
        self.maxBodyBytes = maxBodyBytes
        self.maxQueuedBytes = maxQueuedBytes
        self.logger = logger
        self.dispatch = dispatch
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            if case .discarding = state { return }  // the connection closes after the 413
            if let declared = head.headers.first(name: "content-length").flatMap({ Int($0) }), declared > maxBodyBytes {
                refuseTooLarge(head, context: context)
            } else {
                state = .receiving(head, nil)
            }
        case .body(var chunk):
            guard case .receiving(let head, let body) = state else { return }
            state = .idle
            guard (body?.readableBytes ?? 0) + chunk.readableBytes <= maxBodyBytes else {
                refuseTooLarge(head, context: context)
                return
            }
            if var body {
                body.writeBuffer(&chunk)
                state = .receiving(head, body)
            } else {
                state = .receiving(head, chunk)
            }
        case .end:
            guard case .receiving(let head, let body) = state else { return }
            state = .idle
            let responder = HTTPResponder(channel: context.channel, request: head, maxQueuedBytes: maxQueuedBytes, logger: logger)
            current = responder
            let request = HTTPFrontRequest(
                head: head, body: body ?? context.channel.allocator.buffer(capacity: 0),
                remoteAddress: context.channel.remoteAddress?.ipAndPortText)
            dispatch(request, responder)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        current?.connectionClosed()
        current = nil
        context.fireChannelInactive()
    }

    private func refuseTooLarge(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        state = .discarding
        let responder = HTTPResponder(channel: context.channel, request: head, maxQueuedBytes: maxQueuedBytes, logger: logger)
        current = responder
        responder.reject(
            .payloadTooLarge, "the request body is larger than the limit of \(maxBodyBytes) bytes; send smaller messages",
            closeConnection: true)
    }
}
