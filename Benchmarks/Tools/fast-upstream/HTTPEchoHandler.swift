import NIOCore
import NIOHTTP1
import Synchronization

/// One Streamable HTTP connection of the fast upstream: `POST` carries one JSON-RPC message and
/// is answered with `application/json` (or 202 for notifications and responses); `initialize`
/// gets an `Mcp-Session-Id`; `DELETE` ends a session; `GET` (a server-to-client stream) is 405.
final class HTTPEchoHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let responder = EchoResponder()
    private let sessions: SessionIDSource
    private var head: HTTPRequestHead?
    private var body: ByteBuffer?
    private var output = ByteBufferAllocator().buffer(capacity: 1024)

    init(sessions: SessionIDSource) {
        self.sessions = sessions
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let requestHead):
            head = requestHead
            body = nil
        case .body(var chunk):
            if body == nil {
                body = chunk
            } else {
                body?.writeBuffer(&chunk)
            }
        case .end:
            guard let requestHead = head else { return }
            head = nil
            respond(context: context, head: requestHead, body: body ?? ByteBuffer())
            body = nil
        }
    }

    private func respond(context: ChannelHandlerContext, head request: HTTPRequestHead, body: ByteBuffer) {
        switch request.method {
        case .POST:
            output.clear()
            let reply = responder.reply(to: body, into: &output)
            guard reply != .none else {
                send(context: context, request: request, status: .accepted, body: nil)
                return
            }
            var extra: [(String, String)] = [("Content-Type", "application/json")]
            if reply == .initializeResponse {
                extra.append(("Mcp-Session-Id", sessions.next()))
            }
            send(context: context, request: request, status: .ok, body: output, headers: extra)
        case .DELETE:
            send(context: context, request: request, status: .ok, body: nil)
        case .GET:
            send(context: context, request: request, status: .methodNotAllowed, body: nil, headers: [("Allow", "POST, DELETE")])
        default:
            send(context: context, request: request, status: .methodNotAllowed, body: nil, headers: [("Allow", "POST, DELETE")])
        }
    }

    private func send(
        context: ChannelHandlerContext, request: HTTPRequestHead, status: HTTPResponseStatus,
        body: ByteBuffer?, headers extra: [(String, String)] = []
    ) {
        var headers = HTTPHeaders(extra)
        headers.add(name: "Content-Length", value: String(body?.readableBytes ?? 0))
        let keepAlive = request.isKeepAlive
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        let head = HTTPResponseHead(version: request.version, status: status, headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if let body {
            context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        }
        if keepAlive {
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        } else {
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
        }
    }
}

/// Hands out session ids: a per-process random prefix and a counter.
final class SessionIDSource: Sendable {
    private let prefix = String(UInt64.random(in: 0...UInt64.max), radix: 16)
    private let counter = Atomic<UInt64>(0)

    func next() -> String {
        "\(prefix)-\(counter.wrappingAdd(1, ordering: .relaxed).newValue)"
    }
}
