import NIOCore
import NIOHTTP1

/// Answers each admin request from the handler: gathers the body (at most
/// ``HTTPAdminServer/maxBodyBytes``), runs the handler in a task, and writes its answer on the
/// event loop (the pipelining handler keeps answers in request order).
final class AdminRequestHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let handler: HTTPAdminServer.RequestHandler
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []
    private var tooLarge = false

    init(handler: @escaping HTTPAdminServer.RequestHandler) {
        self.handler = handler
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let requestHead):
            head = requestHead
            body = []
            tooLarge = false
        case .body(var buffer):
            if body.count + buffer.readableBytes > HTTPAdminServer.maxBodyBytes {
                tooLarge = true
                body = []
            } else if !tooLarge, let bytes = buffer.readBytes(length: buffer.readableBytes) {
                body += bytes
            }
        case .end:
            guard let request = head else { return }
            head = nil
            if tooLarge {
                write(AdminResponse(status: 413, contentType: "text/plain; charset=utf-8",
                                    body: "admin requests carry at most \(HTTPAdminServer.maxBodyBytes) bytes\n"),
                      for: request, context: context)
                return
            }
            let uri = request.uri
            let query = uri.firstIndex(of: "?").map { String(uri[uri.index(after: $0)...]) } ?? ""
            let adminRequest = AdminRequest(
                method: request.method.rawValue, path: String(HTTPFrontRequest.path(of: uri)), query: query,
                headers: request.headers.map { (name: $0.name.lowercased(), value: $0.value) }, body: body)
            body = []
            let handler = self.handler
            let loopContext = context.loopBound
            let loopSelf = NIOLoopBound(self, eventLoop: context.eventLoop)
            context.eventLoop.makeFutureWithTask { await handler(adminRequest) }.whenSuccess { response in
                loopSelf.value.write(response, for: request, context: loopContext.value)
            }
        }
    }

    private func write(_ response: AdminResponse, for request: HTTPRequestHead, context: ChannelHandlerContext) {
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: response.contentType)
        for (name, value) in response.headers { headers.add(name: name, value: value) }
        var body = context.channel.allocator.buffer(capacity: response.body.utf8.count)
        if request.method != .HEAD { body.writeString(response.body) }
        headers.add(name: "content-length", value: String(request.method == .HEAD ? response.body.utf8.count : body.readableBytes))
        if !request.isKeepAlive { headers.add(name: "connection", value: "close") }
        let head = HTTPResponseHead(version: request.version, status: HTTPResponseStatus(statusCode: response.status), headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        let keepAlive = request.isKeepAlive
        let loopContext = context.loopBound
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
            if !keepAlive { loopContext.value.close(promise: nil) }
        }
    }
}
