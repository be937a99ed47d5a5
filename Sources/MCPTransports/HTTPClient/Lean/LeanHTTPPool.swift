import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// A lean HTTP/1.1 client for one upstream's POSTs: keep-alive connections per event loop, each
/// POST written with one flush on the caller's loop and its answer fed to the POST's reader as
/// it is decoded. No task, promise chain or timer per request: deadlines are enforced by one
/// sweep per loop (every ``sweepInterval``) while POSTs are on their way.
///
/// It carries the hot path of `StreamableHTTPClientTransport` (every message's POST); the rare
/// requests (the GET stream, resuming a broken stream, DELETE, a POST that met a redirect) stay
/// on AsyncHTTPClient.
final class LeanHTTPPool: Sendable {
    /// How often each loop checks the deadlines of its POSTs and closes connections idle too long.
    static let sweepInterval = TimeAmount.seconds(1)
    /// How long an idle connection is kept.
    static let idleTimeout = TimeAmount.seconds(60)

    private let host: String
    private let port: Int
    private let serverHostname: String?
    private let sslContext: NIOSSLContext?
    private let connectTimeout: TimeAmount
    /// Connections per event loop; POSTs beyond them wait for one to be free.
    let maxConnectionsPerLoop: Int
    private let loops: [ObjectIdentifier: (loop: any EventLoop, pool: NIOLoopBoundBox<LoopPool>)]
    private let closed = NIOLockedValueBox(false)

    /// - Parameters:
    ///   - maxConnections: across all loops (at least one per loop).
    init(url: RemoteURL, tls: TLSConfiguration?, connectTimeout: Duration, maxConnections: Int, loops: ClientEventLoops) throws(TransportError) {
        self.host = url.host
        self.port = url.effectivePort
        self.serverHostname = WebSocketClientTransport.isIPAddress(url.host) ? nil : url.host
        if url.isSecure {
            do {
                sslContext = try NIOSSLContext(configuration: tls ?? .makeClientConfiguration())
            } catch {
                throw TransportError("cannot set up TLS for '\(url.scheme)://\(url.hostHeader)': \(error); check the tls settings")
            }
        } else {
            sslContext = nil
        }
        self.connectTimeout = TimeAmount(connectTimeout)
        let members = loops.members
        self.maxConnectionsPerLoop = max(1, maxConnections / max(members.count, 1))
        var pools: [ObjectIdentifier: (loop: any EventLoop, pool: NIOLoopBoundBox<LoopPool>)] = [:]
        for loop in members {
            pools[ObjectIdentifier(loop)] = (loop, .makeBoxSendingValue(LoopPool(loop: loop), eventLoop: loop))
        }
        self.loops = pools
    }

    /// Sends `post` on its loop (hops there if called elsewhere); `post.result` tells how it ended.
    func send(_ post: LeanPost) {
        guard post.loop.inEventLoop else {
            post.loop.execute { self.send(post) }
            return
        }
        guard let pool = loops[ObjectIdentifier(post.loop)]?.pool.value else {
            post.finish(.outcome(.failed("internal: the POST's event loop is not one of the HTTP client's", status: nil)))
            return
        }
        pool.send(post, via: self)
    }

    /// Closes every idle connection and refuses new POSTs (those on their way are cancelled by
    /// the transport first).
    func close() {
        closed.withLockedValue { $0 = true }
        for (loop, pool) in loops.values {
            loop.execute { pool.value.close() }
        }
    }

    var isClosed: Bool { closed.withLockedValue { $0 } }

    // MARK: From connections (on their loop)

    func connectionFreed(_ connection: LeanHTTPConnection, on loop: any EventLoop) {
        loops[ObjectIdentifier(loop)]?.pool.value.freed(connection, via: self)
    }

    func connectionClosed(_ connection: LeanHTTPConnection, on loop: any EventLoop) {
        loops[ObjectIdentifier(loop)]?.pool.value.lost(connection, via: self)
    }

    func retry(_ post: LeanPost) {
        loops[ObjectIdentifier(post.loop)]?.pool.value.send(post, via: self, fresh: true)
    }

    // MARK: Connecting

    func connect(on loop: any EventLoop) -> EventLoopFuture<LeanHTTPConnection> {
        let sslContext = self.sslContext
        let serverHostname = self.serverHostname
        return ClientBootstrap(group: loop)
            .connectTimeout(connectTimeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture {
                    if let sslContext {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: sslContext, serverHostname: serverHostname))
                    }
                    try channel.pipeline.syncOperations.addHTTPClientHandlers(leftOverBytesStrategy: .dropBytes)
                    try channel.pipeline.syncOperations.addHandler(LeanHTTPConnection(pool: self))
                }
            }
            .connect(host: host, port: port)
            .flatMapThrowing { channel in
                try channel.pipeline.syncOperations.handler(type: LeanHTTPConnection.self)
            }
    }

}
