import NIOCore
import NIOHTTP1

/// Answers each admin request from the handler, on the event loop.
final class AdminRequestHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let handler: HTTPAdminServer.Handler
    private var head: HTTPRequestHead?

    init(handler: @escaping HTTPAdminServer.Handler) {
        self.handler = handler
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let requestHead):
            head = requestHead
        case .body:
            break
        case .end:
            guard let request = head else { return }
            head = nil
            respond(to: request, context: context)
        }
    }

    private func respond(to request: HTTPRequestHead, context: ChannelHandlerContext) {
        var headers = HTTPHeaders()
        let status: HTTPResponseStatus
        var body = context.channel.allocator.buffer(capacity: 0)
        if request.method == .GET {
            let answer = handler(request.method.rawValue, String(HTTPFrontRequest.path(of: request.uri)))
            status = HTTPResponseStatus(statusCode: answer.status)
            headers.add(name: "content-type", value: answer.contentType)
            body.writeString(answer.body)
        } else {
            status = .methodNotAllowed
            headers.add(name: "allow", value: "GET")
            headers.add(name: "content-type", value: "text/plain; charset=utf-8")
            body.writeString("admin pages answer GET only\n")
        }
        headers.add(name: "content-length", value: String(body.readableBytes))
        if !request.isKeepAlive { headers.add(name: "connection", value: "close") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: request.version, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        let keepAlive = request.isKeepAlive
        let loopContext = context.loopBound
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
            if !keepAlive { loopContext.value.close(promise: nil) }
        }
    }
}
