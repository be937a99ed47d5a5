import JSONRPC
import Logging
import MCPRouting
import MCPStats
import MCPTransports

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
    private let cursorSecret: [UInt8]

    /// Creates a proxy. Nothing starts until `serve`.
    public init(upstreams: [UpstreamDefinition], options: ProxyOptions = ProxyOptions(), stats: StatsRegistry = StatsRegistry(significantDigits: 2), logger: Logger) {
        self.upstreams = upstreams
        self.options = options
        self.stats = stats
        self.logger = logger
        var generator = SystemRandomNumberGenerator()
        self.cursorSecret = (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }

    /// Serves one client over `transport` until it disconnects, then stops this session's upstreams.
    ///
    /// Each call gets its own upstream connections (one upstream session per client session),
    /// so server-to-client requests, subscriptions and log levels never cross clients.
    public func serve(_ transport: any MessageTransport) async throws(TransportError) {
        let scanner = JSONRPCScanner(limits: options.scanLimits)
        let connections = upstreams.enumerated().map { index, definition in
            UpstreamConnection(definition: definition, index: index, scanner: scanner, logger: logger)
        }
        let catalog = MergedCatalog(upstreams: upstreams, options: options, stats: stats, logger: logger)
        let session = ProxySession(
            downstream: transport, upstreams: connections, catalog: catalog,
            options: options, stats: stats, logger: logger, cursorSecret: cursorSecret)
        for connection in connections { connection.attach(session) }
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
