import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOWebSocket

/// The proxy's network front: an HTTP/1.1 server (optionally TLS, optionally mutual TLS) that
/// speaks MCP Streamable HTTP, the legacy HTTP+SSE transport and MCP over WebSocket on the
/// configured endpoints, and hands every new client session to the proxy as a `MessageTransport`.
///
/// Every request to an MCP endpoint is first admitted by ``HTTPFrontConfiguration/admission``
/// (when set), and each session is bound to the principal that opened it. Connections and sessions
/// are capped, slow or idle connections are cut (``HTTPFrontConfiguration/headerTimeout``,
/// ``HTTPFrontConfiguration/idleTimeout``), and accepting pauses briefly when the process runs out
/// of file descriptors; ``connectionStatistics`` counts what these guards did.
///
/// Built on SwiftNIO directly rather than on a web framework such as Hummingbird: the front has to
/// decide per request whether to answer with JSON or an event stream *after* the proxy produced
/// the first message, keep streams alive across reconnects, and bound every byte queued for a slow
/// client. That needs control over response streaming, backpressure and SSE framing that
/// framework routers hide.
///
/// ```swift
/// let front = HTTPFrontServer(configuration: HTTPFrontConfiguration(
///     endpoints: [HTTPEndpoint(path: "/mcp", kind: .streamableHTTP, service: "default")]), logger: logger)
/// let address = try await front.start { session in
///     Task { try await proxy.serve(session.transport) }
/// }
/// ```
public final class HTTPFrontServer: Sendable {
    private struct State {
        var started = false
        var serverChannel: (any Channel)?
        var sweep: RepeatedTask?
    }

    /// What the server was configured with.
    public let configuration: HTTPFrontConfiguration
    private let logger: Logger
    private let group: any EventLoopGroup
    private let registry: HTTPSessionRegistry
    private let replayBudget: ReplayBudget
    private let connections: ConnectionTracker
    private let state = NIOLockedValueBox(State())

    /// Creates a server; nothing listens until `start`.
    public init(
        configuration: HTTPFrontConfiguration, logger: Logger,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        self.configuration = configuration
        self.logger = logger
        self.group = eventLoopGroup
        self.registry = HTTPSessionRegistry(
            maxSessions: configuration.maxSessions, maxSessionsPerPrincipal: configuration.maxSessionsPerPrincipal)
        self.replayBudget = ReplayBudget(limit: configuration.maxReplayBytesTotal)
        self.connections = ConnectionTracker(
            maxConnections: FileDescriptorBudget.connectionCap(configured: configuration.maxConnections),
            maxConnectionsPerAddress: configuration.maxConnectionsPerAddress,
            uncountedPeers: configuration.trustedProxies.isEmpty ? nil : configuration.trustedProxies)
    }

    /// The sessions open now, over all endpoints and transports.
    public var sessionCount: Int {
        registry.count
    }

    /// Bytes of replayable events all Streamable HTTP sessions keep now (bounded by
    /// ``HTTPFrontConfiguration/maxReplayBytesTotal``).
    public var replayBufferedBytes: Int {
        replayBudget.totalBytes
    }

    /// Replayable events dropped so far because all sessions together reached
    /// ``HTTPFrontConfiguration/maxReplayBytesTotal`` (not those a session's own limits dropped).
    public var replayEventsDroppedForBudget: Int {
        replayBudget.shedEvents
    }

    /// What the connection guards did so far: open connections, refusals at accept, timeouts,
    /// accept pauses, and sessions refused by the caps.
    public var connectionStatistics: HTTPFrontConnectionStatistics {
        var statistics = connections.statistics
        statistics.refusedSessions = registry.refusedCount
        return statistics
    }

    /// Ends session `id` if this front holds it (another replica revoked it): its streams close
    /// and its proxy session finishes, as after a `DELETE`.
    /// The ids of the sessions open now (for example to end those another replica revoked).
    public var sessionIDs: [String] { registry.ids }

    public func endSession(id: String) {
        registry.terminate(id: id)
    }

    /// Binds and starts accepting. Every new MCP session is handed to `onSession` (the proxy then
    /// serves its transport). Returns the bound address; port 0 in the configuration picks a free port.
    public func start(onSession: @escaping @Sendable (HTTPFrontSession) -> Void) async throws(TransportError) -> (host: String, port: Int) {
        let first = state.withLockedValue { state -> Bool in
            defer { state.started = true }
            return !state.started
        }
        guard first else {
            throw TransportError("this HTTP front was already started; create a new HTTPFrontServer to listen again")
        }
        let tls = try configuration.tls.map { (settings) throws(TransportError) in try TLSContextFactory.make(settings) }
        if let relay = configuration.sessionRelay {
            await relay.start { [registry] session, message in registry.streamable(session)?.receiveForwarded(message) }
        }
        let router = HTTPFrontRouter(
            configuration: configuration, registry: registry, replayBudget: replayBudget, logger: logger, onSession: onSession)
        let maxBody = configuration.maxBodyBytes
        let maxQueued = configuration.maxQueuedBytesPerStream
        let logger = self.logger
        let connections = self.connections
        let timeouts = (header: configuration.headerTimeout, idle: configuration.idleTimeout)
        if connections.maxConnections < configuration.maxConnections {
            logger.notice(
                "accepting fewer connections than maxConnections: the open-files limit (ulimit -n) leaves room for only this many",
                metadata: ["maxConnections": "\(connections.maxConnections)", "configured": "\(configuration.maxConnections)"])
        }
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(AcceptBackoffHandler(tracker: connections, logger: logger))
                }
            }
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.allowRemoteHalfClosure, value: false)
            .childChannelInitializer { channel in
                if let refusal = connections.admit(channel) {
                    return channel.eventLoop.makeFailedFuture(ConnectionRefusal(event: refusal))
                }
                return channel.eventLoop.makeCompletedFuture {
                    let timer: ConnectionTimer?
                    if timeouts.header > .zero || timeouts.idle > .zero {
                        timer = ConnectionTimer(channel: channel, headerTimeout: timeouts.header, idleTimeout: timeouts.idle, tracker: connections)
                    } else {
                        timer = nil
                    }
                    try Self.configure(
                        channel, tls: tls, router: router, timer: timer, maxBodyBytes: maxBody, maxQueuedBytes: maxQueued, logger: logger)
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.bind(host: configuration.host, port: configuration.port).get()
        } catch {
            throw ListenFailure.error(error, what: "", host: configuration.host, port: configuration.port)
        }
        let port = channel.localAddress?.port ?? configuration.port
        let sweep = startIdleSweep()
        state.withLockedValue {
            $0.serverChannel = channel
            $0.sweep = sweep
        }
        logger.info(
            "HTTP front listening",
            metadata: [
                "address": "\(configuration.host):\(port)", "tls": "\(configuration.tls != nil)",
                "endpoints": "\(configuration.endpoints.map(\.path).joined(separator: ","))",
            ])
        return (configuration.host, port)
    }

    /// Stops accepting, waits up to `grace` for the sessions to end on their own (or, with
    /// `idle`, until it says nothing is in flight), then ends the rest (the proxy hears
    /// `.closedLocally`) and closes every connection.
    ///
    /// - Parameter idle: whether the proxy behind the front has no request in flight; checked
    ///   every 20 ms, and the drain ends when it says so twice in a row. Nil waits for the
    ///   sessions themselves.
    public func shutdown(grace: Duration, idle: (@Sendable () -> Bool)? = nil) async {
        let (channel, sweep) = state.withLockedValue { state -> ((any Channel)?, RepeatedTask?) in
            defer {
                state.serverChannel = nil
                state.sweep = nil
            }
            return (state.serverChannel, state.sweep)
        }
        sweep?.cancel()
        try? await channel?.close()
        let deadline = ContinuousClock.now + grace
        var idleChecks = 0
        while registry.count > 0 && ContinuousClock.now < deadline {
            if let idle {
                idleChecks = idle() ? idleChecks + 1 : 0
                if idleChecks >= 2 { break }
            }
            try? await Task.sleep(for: .milliseconds(20))
        }
        registry.terminateAll(.closedLocally)
        // Let the final writes (stream ends, close frames) go out before the connections close.
        try? await Task.sleep(for: .milliseconds(20))
        await connections.closeAll()
        logger.info("HTTP front stopped")
    }

    private static func configure(
        _ channel: any Channel, tls: NIOSSLContext?, router: HTTPFrontRouter, timer: ConnectionTimer?, maxBodyBytes: Int,
        maxQueuedBytes: Int, logger: Logger
    ) throws {
        let operations = channel.pipeline.syncOperations
        if let timer {
            try operations.addHandler(ConnectionTimerHandler(timer: timer))
        }
        if let tls {
            try operations.addHandler(NIOSSLServerHandler(context: tls))
        }
        var upgrade: NIOHTTPServerUpgradeConfiguration?
        if router.servesWebSocket {
            let upgrader = NIOWebSocketServerUpgrader(
                maxFrameSize: min(max(maxBodyBytes, 125), Int(UInt32.max)),
                automaticErrorHandling: true,
                shouldUpgrade: { channel, head in router.shouldUpgrade(channel: channel, head: head) },
                upgradePipelineHandler: { channel, head in router.upgraded(channel: channel, head: head) })
            upgrade = (upgraders: [upgrader], completionHandler: { _ in })
        }
        // Pipelining is handled by HTTPConnectionHandler, which keeps reading (see there).
        try operations.configureHTTPServerPipeline(withPipeliningAssistance: false, withServerUpgrade: upgrade, withErrorHandling: true)
        try operations.addHandler(
            HTTPConnectionHandler(
                maxBodyBytes: maxBodyBytes, maxQueuedBytes: maxQueuedBytes, logger: logger, gate: router.gate, timer: timer,
                trustedProxies: router.trustedProxies
            ) { request, responder in
                router.handle(request, responder: responder)
            })
    }

    private func startIdleSweep() -> RepeatedTask {
        let idle = TimeAmount(configuration.sessionIdleTimeout)
        let interval = min(max(TimeAmount.nanoseconds(idle.nanoseconds / 4), .milliseconds(10)), .seconds(5))
        let registry = self.registry
        let logger = self.logger
        return group.next().scheduleRepeatedTask(initialDelay: interval, delay: interval) { _ in
            let expired = registry.expireIdle(at: .now())
            if expired > 0 {
                logger.info("ended idle sessions", metadata: ["count": "\(expired)"])
            }
        }
    }
}
