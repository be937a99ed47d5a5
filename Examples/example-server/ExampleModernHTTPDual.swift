import Foundation
import JSONRPC
import Logging
import MCPTransports
import NIOCore
import NIOHTTP1
import NIOPosix

/// `--dual-era --http HOST:PORT`: both eras at `/mcp`. As in the SDK, the `MCP-Protocol-Version`
/// header decides: a connection whose first request carries a modern version (not one of the
/// handshake revisions) is served by ``ModernHTTPHandler``; any other connection is relayed,
/// byte for byte, to the handshake-era server (the same HTTP front as plain `--http`, with
/// sessions, GET streams and DELETE) on a loopback port of its own.
///
/// The decision is per connection, not per request: a client that sends requests of both eras
/// on one keep-alive connection gets all of them served by the era of the first. The SDK client
/// never does (one mode per Client); a pooled client that switches eras must use a new connection.
enum ModernHTTPDual {
    /// Serves both eras on `host:port`; returns the bound port.
    static func start(
        host: String, port: Int, name: String, pageSize: Int, idleTimeout: Double, faults: FaultOptions, modern: ExampleServer
    ) async throws -> Int {
        var configuration = HTTPFrontConfiguration(
            endpoints: [HTTPEndpoint(path: "/mcp", kind: .streamableHTTP, service: name)], host: "127.0.0.1", port: 0)
        configuration.sessionIdleTimeout = .milliseconds(Int(idleTimeout * 1000))
        var logger = Logger(label: "example-server")
        logger.logLevel = .warning
        let legacy = HTTPFrontServer(configuration: configuration, logger: logger)
        let inner = try await legacy.start { session in
            let example = ExampleServer(name: name, pageSize: pageSize, transport: session.transport, faults: faults)
            Task { try? await example.run() }
        }.port
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(EraSniffer(modern: modern, legacyPort: inner))
                }
            }
            .bind(host: host, port: port).get()
        return channel.localAddress?.port ?? port
    }
}

/// Reads the head of a connection's first request, then either installs the modern HTTP
/// handlers or relays the connection to the handshake-era server.
final class EraSniffer: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private enum Route { case undecided, modern, legacy(any Channel), connecting }

    /// A head larger than this is handed to the modern side, which refuses it as HTTP.
    private static let maxHeadBytes = 64 << 10
    private let modern: ExampleServer
    private let legacyPort: Int
    private var route = Route.undecided
    private var pending: ByteBuffer?

    init(modern: ExampleServer, legacyPort: Int) {
        self.modern = modern
        self.legacyPort = legacyPort
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        switch route {
        case .modern:
            context.fireChannelRead(data)
        case .legacy(let peer):
            peer.writeAndFlush(bytes, promise: nil)
        case .connecting:
            pending?.writeBuffer(&bytes)
        case .undecided:
            if pending == nil { pending = bytes } else { pending?.writeBuffer(&bytes) }
            guard let head = pending, let era = Self.era(of: head) else { return }
            era == .modern ? becomeModern(context: context) : becomeLegacy(context: context)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if case .legacy(let peer) = route { peer.close(promise: nil) }
        context.fireChannelInactive()
    }

    /// The era of a request head (nil while it is incomplete).
    private static func era(of buffer: ByteBuffer) -> ModernEra.Era? {
        let text = String(decoding: buffer.readableBytesView, as: UTF8.self)
        guard let end = text.range(of: "\r\n\r\n") else { return buffer.readableBytes > maxHeadBytes ? .modern : nil }
        for line in text[..<end.lowerBound].split(separator: "\r\n").dropFirst() {
            guard let colon = line.firstIndex(of: ":"), line[..<colon].lowercased() == "mcp-protocol-version" else { continue }
            let version = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            return ProtocolVersion.handshakeEra.map(\.rawValue).contains(version) ? .legacy : .modern
        }
        return .legacy
    }

    private func becomeModern(context: ChannelHandlerContext) {
        route = .modern
        do {
            try context.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
            try context.pipeline.syncOperations.addHandler(ModernHTTPHandler(server: modern))
        } catch {
            context.close(promise: nil)
            return
        }
        if let head = pending { context.fireChannelRead(wrapInboundOut(head)) }
        pending = nil
    }

    private func becomeLegacy(context: ChannelHandlerContext) {
        route = .connecting
        let client = NIOLoopBound(context.channel, eventLoop: context.eventLoop)
        let connected = ClientBootstrap(group: context.eventLoop)
            .channelInitializer { peer in
                peer.eventLoop.makeCompletedFuture {
                    try peer.pipeline.syncOperations.addHandler(RelayBack(client: client.value))
                }
            }
            .connect(host: "127.0.0.1", port: legacyPort)
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        connected.whenComplete { result in
            let sniffer = handler.value
            switch result {
            case .success(let peer):
                sniffer.route = .legacy(peer)
                if let bytes = sniffer.pending { peer.writeAndFlush(bytes, promise: nil) }
                sniffer.pending = nil
            case .failure:
                client.value.close(promise: nil)
            }
        }
    }
}

/// Writes what the handshake-era server sends back to the client's connection.
private final class RelayBack: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let client: any Channel

    init(client: any Channel) {
        self.client = client
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        client.writeAndFlush(unwrapInboundIn(data), promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        client.close(promise: nil)
        context.fireChannelInactive()
    }
}
