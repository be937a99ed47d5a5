import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// One request as a stub server received it.
struct StubHTTPRequest: Sendable {
    var method: HTTPMethod
    var uri: String
    var headers: HTTPHeaders
    var body: ByteBuffer

    func header(_ name: String) -> String? { headers.first(name: name) }
    var bodyText: String { String(buffer: body) }
}

/// Writes one response (possibly a long event stream) on a stub server's connection.
struct StubHTTPResponder: Sendable {
    let channel: any Channel

    func head(_ status: HTTPResponseStatus, _ headers: [(String, String)] = []) {
        var fields = HTTPHeaders()
        for (name, value) in headers { fields.add(name: name, value: value) }
        channel.writeAndFlush(HTTPServerResponsePart.head(HTTPResponseHead(version: .http1_1, status: status, headers: fields)), promise: nil)
    }

    func write(_ text: String) {
        channel.writeAndFlush(HTTPServerResponsePart.body(.byteBuffer(ByteBuffer(string: text))), promise: nil)
    }

    func end() {
        channel.writeAndFlush(HTTPServerResponsePart.end(nil), promise: nil)
    }

    /// Drops the connection in the middle of the response.
    func cut() {
        channel.close(promise: nil)
    }

    /// A complete response with a body of known length.
    func respond(_ status: HTTPResponseStatus, _ headers: [(String, String)] = [], body: String = "") {
        head(status, headers + [("Content-Length", "\(body.utf8.count)")])
        if !body.isEmpty { write(body) }
        end()
    }

    /// Starts an event stream.
    func startEventStream(_ headers: [(String, String)] = []) {
        head(.ok, [("Content-Type", "text/event-stream"), ("Cache-Control", "no-cache")] + headers)
    }

    /// Whether the client is still connected.
    var isConnected: Bool { channel.isActive }
}

/// An HTTP/1.1 server on 127.0.0.1 (an ephemeral port) that hands each request to an async script.
final class StubHTTPServer: Sendable {
    typealias Handler = @Sendable (StubHTTPRequest, StubHTTPResponder) async -> Void

    let port: Int
    let scheme: String
    private let serverChannel: any Channel
    private let connections: NIOLockedValueBox<[ObjectIdentifier: any Channel]>

    private init(port: Int, scheme: String, serverChannel: any Channel, connections: NIOLockedValueBox<[ObjectIdentifier: any Channel]>) {
        self.port = port
        self.scheme = scheme
        self.serverChannel = serverChannel
        self.connections = connections
    }

    /// `http(s)://127.0.0.1:<port><path>`.
    func url(_ path: String) -> String { "\(scheme)://127.0.0.1:\(port)\(path)" }

    static func start(tls: NIOSSLContext? = nil, handler: @escaping Handler) async throws -> StubHTTPServer {
        let connections = NIOLockedValueBox<[ObjectIdentifier: any Channel]>([:])
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                connections.withLockedValue { $0[ObjectIdentifier(channel)] = channel }
                channel.closeFuture.whenComplete { _ in
                    _ = connections.withLockedValue { $0.removeValue(forKey: ObjectIdentifier(channel)) }
                }
                return channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls))
                    }
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(StubRequestCollector(handler: handler))
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        let port = channel.localAddress?.port ?? 0
        return StubHTTPServer(port: port, scheme: tls == nil ? "http" : "https", serverChannel: channel, connections: connections)
    }

    /// Closes every connection and the listener.
    func stop() async {
        let open = connections.withLockedValue { Array($0.values) }
        for channel in open { try? await channel.close() }
        try? await serverChannel.close()
    }
}

/// Collects a request's parts and runs the script when it is complete.
private final class StubRequestCollector: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart

    private let handler: StubHTTPServer.Handler
    private var head: HTTPRequestHead?
    private var body = ByteBuffer()

    init(handler: @escaping StubHTTPServer.Handler) {
        self.handler = handler
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body.clear()
        case .body(var chunk):
            body.writeBuffer(&chunk)
        case .end:
            guard let head else { return }
            let request = StubHTTPRequest(method: head.method, uri: head.uri, headers: head.headers, body: body)
            let responder = StubHTTPResponder(channel: context.channel)
            let handler = self.handler
            Task { await handler(request, responder) }
        }
    }
}

/// An address where nothing listens: a port that was bound and released.
func unusedLocalPort() async throws -> Int {
    let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .bind(host: "127.0.0.1", port: 0)
        .get()
    let port = channel.localAddress?.port ?? 1
    try await channel.close()
    return port
}
