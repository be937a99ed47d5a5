import JSONRPC
import Logging
import MCPRouting
import MCPSecurity
import MCPStats
import MCPTransports
import NIOConcurrencyHelpers

/// An MCP proxy assembled from injected parts: upstream definitions, options (routes, limits,
/// namespacing) and a stats registry.
///
/// ```swift
/// let proxy = MCPProxy(
///     upstreams: [.stdio(name: "time", configuration: .init(command: "python3", arguments: ["-m", "mcp_server_time"]), logger: logger)],
///     options: ProxyOptions(),
///     stats: StatsRegistry(),
///     logger: logger)
/// try await proxy.serve(StandardIOTransport())
/// ```
public final class MCPProxy: Sendable {
    /// The upstreams, in priority order.
    public let upstreams: [UpstreamDefinition]
    /// Behaviour settings.
    public let options: ProxyOptions
    /// Where numbers go.
    public let stats: StatsRegistry
    let logger: Logger
    let cursorSecret: [UInt8]
    /// The shared upstream sessions and the merged catalog every client session uses.
    let hub: UpstreamHub
    /// The user's stages, built once; nil when there are none, so such a proxy pays nothing for
    /// them. The proxy's own stats stage runs after them (``StatsMiddleware``), called directly.
    let pipeline: (any MCPMiddleware<ProxyRequestContext>)?
    /// Which catalog items each principal sees in lists; nil shows everything.
    public let visibility: (any Authorizer)?
    /// The client sessions being served, for ``requestsInFlight``.
    let liveSessions = NIOLockedValueBox<[ObjectIdentifier: ProxySession]>([:])

    /// Creates a proxy. Nothing starts until `serve`.
    ///
    /// - Parameters:
    ///   - visibility: filters merged lists per principal (an authorizer); nil shows everything.
    ///   - stages: the request pipeline, in order (``MCPPipelineBuilder``). The proxy adds its
    ///     stats stage after them; with no stages every request goes straight to its target.
    public convenience init<Chain: MCPMiddleware>(
        upstreams: [UpstreamDefinition],
        options: ProxyOptions = ProxyOptions(),
        stats: StatsRegistry = StatsRegistry(significantDigits: 2),
        visibility: (any Authorizer)? = nil,
        logger: Logger,
        inheriting: InheritedUpstreams? = nil,
        @MCPPipelineBuilder<ProxyRequestContext> stages: () -> Chain
    ) where Chain.Context == ProxyRequestContext {
        self.init(upstreams: upstreams, options: options, stats: stats, visibility: visibility, logger: logger, chain: stages(),
                  inheriting: inheriting)
    }

    /// Creates a proxy with no pipeline stages of the user's. Nothing starts until `serve`.
    public convenience init(upstreams: [UpstreamDefinition], options: ProxyOptions = ProxyOptions(), stats: StatsRegistry = StatsRegistry(significantDigits: 2), logger: Logger,
                            inheriting: InheritedUpstreams? = nil) {
        self.init(upstreams: upstreams, options: options, stats: stats, visibility: nil, logger: logger, chain: PassThroughMiddleware<ProxyRequestContext>(),
                  inheriting: inheriting)
    }

    /// Creates a proxy from an already built chain of stages.
    ///
    /// - Parameter inheriting: running shared upstreams of the proxy this one replaces
    ///   (``handOverUpstreams(_:)``), used instead of starting new ones.
    public init<Chain: MCPMiddleware>(
        upstreams: [UpstreamDefinition],
        options: ProxyOptions,
        stats: StatsRegistry,
        visibility: (any Authorizer)?,
        logger: Logger,
        chain: Chain,
        inheriting: InheritedUpstreams? = nil
    ) where Chain.Context == ProxyRequestContext {
        self.upstreams = upstreams
        self.options = options
        self.stats = stats
        self.logger = logger
        self.visibility = visibility
        self.pipeline = chain is PassThroughMiddleware<ProxyRequestContext> ? nil : chain
        self.hub = UpstreamHub(definitions: upstreams, options: options, stats: stats, logger: logger,
                               inherited: inheriting?.services ?? [:])
        var generator = SystemRandomNumberGenerator()
        self.cursorSecret = (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
        listenForPinChanges()
    }

    /// Opens the eager shared upstreams' sessions now (the first `serve` does it otherwise), so
    /// the first client does not wait for them.
    public func start() {
        hub.start()
    }

    /// Stops every shared upstream session (children get SIGTERM, then SIGKILL after their
    /// grace period). Call it once the fronts have stopped serving.
    public func shutdown() async {
        await hub.shutdown()
    }

    /// Each upstream's state from the pools' own sessions (nothing is started to find out).
    public func upstreamStatus() -> [UpstreamStatus] {
        hub.status()
    }

    /// Client requests not answered yet over every session (forwarded upstream, or waiting to be
    /// routed), plus work running on clients' behalf; a drain waits for it to reach zero.
    public var requestsInFlight: Int {
        liveSessionList.reduce(0) { $0 + $1.busyCount }
    }

    /// The client sessions being served now.
    var liveSessionList: [ProxySession] {
        liveSessions.withLockedValue { Array($0.values) }
    }

    /// Serves one client over `transport` until it disconnects, then stops this session's own
    /// upstreams (per-session mode) and leaves the shared ones running.
    ///
    /// Shared upstream sessions carry many clients; responses, progress and server-to-client
    /// requests still reach only the client they belong to (``UpstreamPolicy``).
    ///
    /// - Parameter principal: who the client is when the transport authenticates nothing itself
    ///   (the stdio front's configured principal); nil takes the transport's `principal`.
    /// - Parameter endpoint: the virtual endpoint the client connected to; nil serves the whole
    ///   catalog as the proxy's main path does.
    /// - Parameter restoredInitialize: for a session opened on another replica of the gateway
    ///   (``SessionContinuity``), the client's `initialize` params as it sent them there; the
    ///   session then serves requests without a new handshake.
    public func serve(_ transport: any MessageTransport, principal: Principal? = nil, endpoint: EndpointView? = nil,
                      restoredInitialize: [UInt8]? = nil) async throws(TransportError) {
        let session = ProxySession(
            downstream: transport, hub: hub,
            options: options, stats: stats, logger: logger, cursorSecret: cursorSecret,
            pipeline: pipeline, visibility: visibility, principal: principal, endpoint: endpoint)
        if let restoredInitialize, !session.restoreHandshake(restoredInitialize) {
            logger.warning("a restored session's initialize params did not decode; it must initialize again")
        }
        let key = ObjectIdentifier(session)
        liveSessions.withLockedValue { $0[key] = session }
        defer { liveSessions.withLockedValue { _ = $0.removeValue(forKey: key) } }
        do {
            try await session.start()
        } catch {
            await session.finish()
            throw error
        }
        await withTaskCancellationHandler {
            await session.waitUntilFinished()
        } onCancel: {
            Task { await session.finish() }
        }
    }
}
