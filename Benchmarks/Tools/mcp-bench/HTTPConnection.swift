import JSONRPC
import NIOCore
import NIOHTTP1
import NIOPosix

/// One keep-alive HTTP/1.1 connection to a Streamable HTTP MCP endpoint, carrying one MCP session
/// and one request at a time. Answers may come as `application/json` or as a `text/event-stream`
/// whose events include the response.
final class HTTPConnection: RPCConnection, ChannelInboundHandler, @unchecked Sendable {
    // @unchecked: every mutable property is touched only on `eventLoop`.
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    let eventLoop: any EventLoop
    let window = 1
    let endpoint: EndpointURL
    /// Set from the `Mcp-Session-Id` of the initialize response; sent on every later request.
    private(set) var sessionID: String?
    /// Set after the handshake; sent as `MCP-Protocol-Version`.
    var protocolVersion: String?

    private let scanner = JSONRPCScanner()
    private var channel: (any Channel)?
    private var current: (id: Int64?, completion: (RPCOutcome) -> Void)?
    private var status: HTTPResponseStatus = .ok
    private var isEventStream = false
    private var body: ByteBuffer?
    private var broken: String?

    /// Sent as `Authorization: Bearer <token>` on every request, when set.
    private let authorization: String?

    private init(endpoint: EndpointURL, eventLoop: any EventLoop, bearer: String?) {
        self.endpoint = endpoint
        self.eventLoop = eventLoop
        self.authorization = bearer.map { "Bearer " + $0 }
    }

    /// Connects to `endpoint` on `eventLoop`; every request carries `bearer` when it is set.
    static func connect(to endpoint: EndpointURL, on eventLoop: any EventLoop, bearer: String? = nil) async throws -> HTTPConnection {
        let connection = HTTPConnection(endpoint: endpoint, eventLoop: eventLoop, bearer: bearer)
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: eventLoop)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .connectTimeout(.seconds(10))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHTTPClientHandlers()
                        try channel.pipeline.syncOperations.addHandler(connection)
                    }
                }
                .connect(host: endpoint.host, port: endpoint.port)
                .get()
        } catch {
            throw BenchError("cannot connect to \(endpoint): \(error). Is the server running and listening there?")
        }
        try await eventLoop.submit { connection.channel = channel }.get()
        return connection
    }

    func send(_ message: ByteBuffer, id: Int64?, completion: @escaping (RPCOutcome) -> Void) {
        if let broken {
            completion(.failure(broken))
            return
        }
        guard let channel, current == nil else {
            completion(.failure(channel == nil ? "not connected" : "a request is already in flight on this connection"))
            return
        }
        current = (id, completion)
        var headers = HTTPHeaders()
        headers.reserveCapacity(8)
        headers.add(name: "Host", value: endpoint.hostHeader)
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "Accept", value: "application/json, text/event-stream")
        headers.add(name: "Content-Length", value: String(message.readableBytes))
        if let sessionID { headers.add(name: "Mcp-Session-Id", value: sessionID) }
        if let protocolVersion { headers.add(name: "MCP-Protocol-Version", value: protocolVersion) }
        if let authorization { headers.add(name: "Authorization", value: authorization) }
        let head = HTTPRequestHead(version: .http1_1, method: .POST, uri: endpoint.path, headers: headers)
        channel.write(HTTPClientRequestPart.head(head), promise: nil)
        channel.write(HTTPClientRequestPart.body(.byteBuffer(message)), promise: nil)
        channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
    }

    /// Closes the connection. No DELETE is sent: the server keeps or expires the session as it would for a vanished client.
    func close() -> EventLoopFuture<Void> {
        guard let channel else { return eventLoop.makeSucceededVoidFuture() }
        return channel.close().recover { _ in }
    }

    // MARK: ChannelInboundHandler

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            status = head.status
            isEventStream = head.headers.first(name: "content-type")?.lowercased().hasPrefix("text/event-stream") ?? false
            if let session = head.headers.first(name: "mcp-session-id") { sessionID = session }
            body = nil
        case .body(var part):
            if body == nil { body = part } else { body?.writeBuffer(&part) }
        case .end:
            finishExchange()
        }
    }

    private func finishExchange() {
        guard let exchange = current else { return }
        current = nil
        let payload = body ?? ByteBuffer()
        body = nil
        guard status.code / 100 == 2 else {
            let text = String(buffer: payload.getSlice(at: payload.readerIndex, length: min(200, payload.readableBytes)) ?? ByteBuffer())
            exchange.completion(.failure("HTTP \(status.code) \(status.reasonPhrase): \(text)"))
            return
        }
        guard let id = exchange.id else {
            exchange.completion(.accepted)
            return
        }
        let candidates = isEventStream ? ServerSentEvents.dataPayloads(in: payload) : [payload]
        for candidate in candidates {
            guard let message = try? scanner.scanMessage(candidate) else { continue }
            let kind = message.envelope.kind
            if (kind == .successResponse || kind == .errorResponse), message.envelope.id == .number(id) {
                exchange.completion(.response(message))
                return
            }
        }
        exchange.completion(.failure("HTTP \(status.code) without the JSON-RPC response to request \(id)"))
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail("the server closed the connection")
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail("I/O error: \(error)")
        context.close(promise: nil)
    }

    private func fail(_ reason: String) {
        if broken == nil { broken = reason }
        if let exchange = current {
            current = nil
            exchange.completion(.failure(reason))
        }
    }
}
