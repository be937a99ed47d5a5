import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix

/// A small separate HTTP/1.1 listener for admin pages (metrics, health): each GET is answered by
/// the handler, which is given the method and the path (without the query string) and returns the
/// status, content type and body (404 for paths it does not know). Other methods get 405.
public final class HTTPAdminServer: Sendable {
    /// Produces the answer to one admin request.
    public typealias Handler = @Sendable (_ method: String, _ path: String) -> (status: Int, contentType: String, body: String)

    private let host: String
    private let port: Int
    private let logger: Logger
    private let handler: Handler
    private let group: any EventLoopGroup
    private let connections = ConnectionTracker()
    private let serverChannel = NIOLockedValueBox<(any Channel)?>(nil)

    /// Creates the server; nothing listens until `start`.
    public init(
        host: String, port: Int, logger: Logger, eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        handler: @escaping Handler
    ) {
        self.host = host
        self.port = port
        self.logger = logger
        self.handler = handler
        self.group = eventLoopGroup
    }

    /// Binds and starts answering; returns the bound address (port 0 picks a free port).
    public func start() async throws(TransportError) -> (host: String, port: Int) {
        let handler = self.handler
        let connections = self.connections
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 64)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelInitializer { [logger] channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(AcceptBackoffHandler(tracker: connections, logger: logger))
                }
            }
            .childChannelInitializer { channel in
                connections.track(channel)
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(AdminRequestHandler(handler: handler))
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.bind(host: host, port: port).get()
        } catch {
            throw ListenFailure.error(error, what: "for admin pages", host: host, port: port)
        }
        serverChannel.withLockedValue { $0 = channel }
        let bound = channel.localAddress?.port ?? port
        // Bound, not announced: the caller announces once every listener is bound.
        logger.debug("admin listener bound", metadata: ["address": "\(host):\(bound)"])
        return (host, bound)
    }

    /// Stops listening and closes open connections.
    public func shutdown() async {
        let channel = serverChannel.withLockedValue { channel -> (any Channel)? in
            defer { channel = nil }
            return channel
        }
        try? await channel?.close()
        await connections.closeAll()
    }
}
