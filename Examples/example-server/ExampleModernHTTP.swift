import Foundation
import JSONRPC
import MCPTransports
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix

/// `--modern --http HOST:PORT`: Streamable HTTP as 2026-07-28 has it, at `/mcp`. POST only
/// (GET and DELETE get 405 `Allow: POST`), no sessions (`Mcp-Session-Id` is ignored), the
/// routing headers checked against the body (400 -32020), the modern errors with their
/// statuses (400 for -32602/-32020/-32021/-32022, 404 for -32601), 202 for a notification.
/// A short answer is `application/json`; a request that sends notifications first (progress, a
/// listen) is answered as an SSE stream. A client closing the connection cancels its request
/// or ends its listen. One ExampleServer serves every request, so `toggle_extra` and `bump`
/// reach the listens of every client.
enum ModernHTTP {
    /// The largest request body accepted.
    static let maxBodyBytes = 4 << 20

    /// Binds `host:port` and serves until killed; returns the bound port.
    static func start(host: String, port: Int, server: ExampleServer) async throws -> Int {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(ModernHTTPHandler(server: server))
                }
            }
            .bind(host: host, port: port).get()
        return channel.localAddress?.port ?? port
    }
}

/// The transport of the one ExampleServer behind `--modern --http`: every modern answer goes to
/// its request's ``ModernHTTPReply``, so nothing is ever sent here.
final class ModernNullTransport: MessageTransport {
    let name = "modern-http"
    func start(sink: any MessageSink) async throws(TransportError) {
        while true { try? await Task.sleep(for: .seconds(3600)) }
    }
    func send(_ message: ByteBuffer) -> Bool { false }
    func close() async {}
}

/// Serves the requests of one connection, one at a time.
final class ModernHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let server: ExampleServer
    private let scanner = JSONRPCScanner(limits: ScanLimits(maxMessageBytes: ModernHTTP.maxBodyBytes))
    private var head: HTTPRequestHead?
    private var body: ByteBuffer?
    private var tooLarge = false
    /// The request in flight on this connection (cancelled when the connection closes).
    private var current: ModernHTTPReply?

    init(server: ExampleServer) {
        self.server = server
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let requestHead):
            head = requestHead
            body = context.channel.allocator.buffer(capacity: 0)
            tooLarge = false
        case .body(var buffer):
            if (body?.readableBytes ?? 0) + buffer.readableBytes > ModernHTTP.maxBodyBytes {
                tooLarge = true
            } else {
                body?.writeBuffer(&buffer)
            }
        case .end:
            guard let request = head else { return }
            head = nil
            let bytes = body ?? context.channel.allocator.buffer(capacity: 0)
            body = nil
            serve(request, body: bytes, context: context)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        current?.connectionClosed()
        current = nil
        context.fireChannelInactive()
    }

    private func serve(_ request: HTTPRequestHead, body: ByteBuffer, context: ChannelHandlerContext) {
        let reply = ModernHTTPReply(channel: context.channel, keepAlive: request.isKeepAlive)
        current = reply
        guard request.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first == "/mcp" else {
            reply.finish(error(nil, -32600, "no MCP endpoint at \(request.uri); use /mcp"), status: 404)
            return
        }
        guard request.method == .POST else {
            reply.finish(error(nil, -32600, "Method Not Allowed: protocol \(ModernEra.version) uses POST only"), status: 405,
                         headers: [("allow", "POST")])
            return
        }
        guard !tooLarge else {
            reply.finish(error(nil, -32600, "the body exceeds \(ModernHTTP.maxBodyBytes) bytes"), status: 413)
            return
        }
        let accept = request.headers[canonicalForm: "accept"].joined(separator: ",").lowercased()
        guard accept.isEmpty || accept.contains("application/json") || accept.contains("*/*") else {
            reply.finish(error(nil, -32600, "Not Acceptable: Accept must include application/json"), status: 406)
            return
        }
        let message: JSONRPCMessage
        do {
            message = try scanner.scanMessage(body)
        } catch {
            reply.finish(JSONRPCEncoder.errorResponse(idBytes: error.idBytes, code: error.code, message: error.message), status: 400)
            return
        }
        switch message.envelope.kind {
        case .notification:
            // HTTP cancellation is closing the stream; a posted notification is accepted and dropped.
            reply.accepted()
        case .successResponse, .errorResponse:
            reply.finish(error(nil, -32600, "this server sends no requests, so it takes no responses"), status: 400)
        case .request:
            if message.envelope.method == .subscriptionsListen, !(accept.contains("text/event-stream") || accept.contains("*/*")) {
                reply.finish(error(nil, -32600, "Not Acceptable: subscriptions/listen needs Accept: text/event-stream"), status: 406)
                return
            }
            let headers = request.headers
            let lookup: ModernHeaders = { name in headers[canonicalForm: name].map(String.init) }
            let task = server.serveModern(message, headers: lookup, reply: reply)
            reply.attach(task)
        }
    }

    private func error(_ id: [UInt8]?, _ code: Int, _ message: String) -> ByteBuffer {
        JSONRPCEncoder.errorResponse(idBytes: id, code: JSONRPCErrorCode(rawValue: code), message: message)
    }
}

/// The answer to one POST: `application/json`, or an SSE stream once a notification comes first.
final class ModernHTTPReply: ModernReply, @unchecked Sendable {
    // @unchecked: `phase`, `task` and `listen` are guarded by `lock`; writes happen on the channel's loop.
    private enum Phase { case waiting, streaming, done }

    private let channel: any Channel
    private let keepAlive: Bool
    private let lock = NIOLock()
    private var phase = Phase.waiting
    private var task: Task<Void, Never>?
    private var listen: (ModernEra, UInt64)?

    init(channel: any Channel, keepAlive: Bool) {
        self.channel = channel
        self.keepAlive = keepAlive
    }

    /// Remembers the task serving the request, to cancel it if the client goes away.
    func attach(_ task: Task<Void, Never>?) {
        lock.withLock { self.task = task }
    }

    func openedListen(_ era: ModernEra, token: UInt64) {
        lock.withLock { listen = (era, token) }
        keepAlive(every: .seconds(15))
    }

    /// An SSE comment line on an open listen every `interval`, as the SDK server does, so that
    /// intermediaries and clients with read timeouts keep the stream.
    private func keepAlive(every interval: TimeAmount) {
        let channel = channel
        channel.eventLoop.scheduleTask(in: interval) { [self] in
            guard lock.withLock({ phase == .streaming }), channel.isActive else { return }
            var comment = channel.allocator.buffer(capacity: 8)
            comment.writeString(": ping\n\n")
            channel.writeAndFlush(HTTPServerResponsePart.body(.byteBuffer(comment)), promise: nil)
            keepAlive(every: interval)
        }
    }

    /// The client closed the connection: cancel the request, end the listen.
    func connectionClosed() {
        let (task, listen) = lock.withLock { () -> (Task<Void, Never>?, (ModernEra, UInt64)?) in
            defer { phase = .done }
            return phase == .done ? (nil, nil) : (self.task, self.listen)
        }
        if let task {
            task.cancel()
            FileHandle.standardError.write(Data("example-server: a request was cancelled: its client closed the stream\n".utf8))
        }
        if let (era, token) = listen { era.endListen(token: token) }
    }

    func notify(_ bytes: ByteBuffer) {
        let startStream = lock.withLock { () -> Bool? in
            switch phase {
            case .done: return nil
            case .waiting: phase = .streaming; return true
            case .streaming: return false
            }
        }
        guard let startStream else { return }
        let channel = channel
        let event = Self.event(bytes, allocator: channel.allocator)
        channel.eventLoop.execute {
            if startStream {
                var headers = HTTPHeaders()
                headers.add(name: "content-type", value: "text/event-stream")
                headers.add(name: "cache-control", value: "no-cache, no-transform")
                headers.add(name: "x-accel-buffering", value: "no")
                channel.write(HTTPServerResponsePart.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers)), promise: nil)
            }
            channel.writeAndFlush(HTTPServerResponsePart.body(.byteBuffer(event)), promise: nil)
        }
    }

    func finish(_ bytes: ByteBuffer, status: Int) {
        finish(bytes, status: status, headers: [])
    }

    func finish(_ bytes: ByteBuffer, status: Int, headers extra: [(String, String)]) {
        let streaming = lock.withLock { () -> Bool? in
            defer { phase = .done }
            switch phase {
            case .done: return nil
            case .waiting: return false
            case .streaming: return true
            }
        }
        guard let streaming else { return }
        let channel = channel
        let keepAlive = keepAlive
        let event = streaming ? Self.event(bytes, allocator: channel.allocator) : bytes
        channel.eventLoop.execute {
            if !streaming {
                var headers = HTTPHeaders()
                headers.add(name: "content-type", value: "application/json")
                headers.add(name: "content-length", value: String(bytes.readableBytes))
                for (name, value) in extra { headers.add(name: name, value: value) }
                if !keepAlive { headers.add(name: "connection", value: "close") }
                let head = HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: status), headers: headers)
                channel.write(HTTPServerResponsePart.head(head), promise: nil)
            }
            channel.write(HTTPServerResponsePart.body(.byteBuffer(event)), promise: nil)
            channel.writeAndFlush(HTTPServerResponsePart.end(nil)).whenComplete { _ in
                if !keepAlive || streaming { channel.close(promise: nil) }
            }
        }
    }

    /// 202 with no body (a notification).
    func accepted() {
        lock.withLock { phase = .done }
        let channel = channel
        channel.eventLoop.execute {
            var headers = HTTPHeaders()
            headers.add(name: "content-length", value: "0")
            channel.write(HTTPServerResponsePart.head(HTTPResponseHead(version: .http1_1, status: .accepted, headers: headers)), promise: nil)
            channel.writeAndFlush(HTTPServerResponsePart.end(nil), promise: nil)
        }
    }

    private static func event(_ bytes: ByteBuffer, allocator: ByteBufferAllocator) -> ByteBuffer {
        var event = allocator.buffer(capacity: bytes.readableBytes + 24)
        event.writeString("event: message\ndata: ")
        event.writeImmutableBuffer(bytes)
        event.writeString("\n\n")
        return event
    }
}

extension ModernHTTP {
    /// `--modern --http` (and `--dual-era --http`, see ModernHTTPDual): serves until killed.
    static func run(address: String, name: String, pageSize: Int, mode: ModernEra.Mode, idleTimeout: Double, faults: FaultOptions) async {
        let parts = address.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count >= 2, let port = Int(parts[parts.count - 1]) else {
            FileHandle.standardError.write(Data("example-server: --http expects HOST:PORT\n".utf8))
            exit(2)
        }
        let host = parts.dropLast().joined(separator: ":")
        // Of the fault options only the counting files apply (the fault tools are not served here).
        var counting = FaultOptions()
        counting.countRequestsFile = faults.countRequestsFile
        counting.countInitializeFile = faults.countInitializeFile
        let server = ExampleServer(name: name, pageSize: pageSize, transport: ModernNullTransport(), faults: counting, modern: ModernEra(mode: mode))
        do {
            let bound = mode == .dual
                ? try await ModernHTTPDual.start(host: host.isEmpty ? "127.0.0.1" : host, port: port, name: name, pageSize: pageSize,
                                                 idleTimeout: idleTimeout, faults: counting, modern: server)
                : try await start(host: host.isEmpty ? "127.0.0.1" : host, port: port, server: server)
            FileHandle.standardError.write(Data("example-server \(name): listening on \(bound)\n".utf8))
        } catch {
            FileHandle.standardError.write(Data("example-server: \(error)\n".utf8))
            exit(1)
        }
        while true {
            try? await Task.sleep(for: .seconds(3600))
        }
    }
}
