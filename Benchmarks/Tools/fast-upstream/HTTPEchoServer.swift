import NIOCore
import NIOHTTP1
import NIOPosix

/// The fast upstream's Streamable HTTP endpoint: a minimal NIOHTTP1 server that answers every
/// POST at once, on any path.
struct HTTPEchoServer {
    let host: String
    let port: Int
    let threads: Int

    /// Binds, prints the bound address to stderr, and serves until the process is killed.
    func run() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        let sessions = SessionIDSource()
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 16)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(HTTPEchoHandler(sessions: sessions))
                }
            }
            .bind(host: host, port: port)
            .get()
        let bound = channel.localAddress?.port ?? port
        StandardError.print("fast-upstream: Streamable HTTP on http://\(host):\(bound)/mcp (\(threads) thread(s))\n")
        try await channel.closeFuture.get()
    }
}
