import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix

/// A small separate HTTP/1.1 listener for admin pages and the admin API (metrics, health,
/// status, control): each request is answered by the handler, which sees the method, path,
/// query, headers and body and returns the status, content type, headers and body.
public final class HTTPAdminServer: Sendable {
    /// Produces the answer to one admin request (it may suspend, e.g. to reload).
    public typealias RequestHandler = @Sendable (AdminRequest) async -> AdminResponse
    /// A GET-only handler given the method and the path; other methods get 405.
    public typealias Handler = @Sendable (_ method: String, _ path: String) -> (status: Int, contentType: String, body: String)

    /// The largest request body the admin listener reads; larger requests get 413.
    public static let maxBodyBytes = 1 << 20

    private let host: String
    private let port: Int
    private let logger: Logger
    private let handler: RequestHandler
    private let group: any EventLoopGroup
    private let connections = ConnectionTracker()
    private let serverChannel = NIOLockedValueBox<(any Channel)?>(nil)

    /// Creates the server with a GET-only handler; nothing listens until `start`.
    public convenience init(
        host: String, port: Int, logger: Logger, eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        handler: @escaping Handler
    ) {
        self.init(host: host, port: port, logger: logger, eventLoopGroup: eventLoopGroup) { (request: AdminRequest) -> AdminResponse in
            guard request.method == "GET" || request.method == "HEAD" else {
                return AdminResponse(status: 405, contentType: "text/plain; charset=utf-8", body: "admin pages answer GET only\n",
                                     headers: [("allow", "GET")])
            }
            let answer = handler(request.method, request.path)
            return AdminResponse(status: answer.status, contentType: answer.contentType, body: answer.body)
        }
    }

    /// Creates the server; nothing listens until `start`.
    public init(
        host: String, port: Int, logger: Logger, eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        requestHandler: @escaping RequestHandler
    ) {
        self.host = host
        self.port = port
        self.logger = logger
        self.handler = requestHandler
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
