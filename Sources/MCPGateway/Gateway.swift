import Logging
import MCPConfig
import MCPProxy
import MCPSecurity
import MCPStats
import MCPTracing
import MCPTransports
import Tracing
import Synchronization

/// The proxy as `mcp-proxy` runs it, assembled from a configuration and controlled from code:
/// start it on its network fronts or on this process's stdin/stdout, read its statistics and
/// upstream states, reload it with a new configuration without dropping anyone, plug policies
/// into its pipeline, and stop it gracefully.
///
/// ```swift
/// let gateway = Gateway(config: try ConfigLoader.load(path: "proxy.yaml"))
/// let addresses = try await gateway.start(.network)
/// print("serving at", addresses.mcp ?? "?")
/// ...
/// try await gateway.reload(try ConfigLoader.load(path: "proxy.yaml"))
/// await gateway.stop()
/// ```
///
/// The `mcp-proxy` executable and the C library (`libmcpproxy`) are both built on it. It
/// installs no signal handlers: the host decides what a signal does.
public final class Gateway: Sendable {
    /// Where a gateway serves clients.
    public enum Front: Sendable, Equatable {
        /// `proxy.listen` (Streamable HTTP, legacy SSE, WebSocket) and `proxy.admin`.
        case network
        /// One client on this process's stdin and stdout.
        case stdio
    }

    /// The gateway's numbers; they continue across reloads.
    public let stats: StatsRegistry
    /// Policies a host plugs in (``PolicyHookRegistry``); nil when the gateway was made without.
    public let policies: PolicyHookRegistry?
    private let logger: Logger
    private let endsAllChildren: Bool
    private let core: GatewayCore
    /// What synchronous readers need, kept apart from the core's serialized operations.
    private let snapshot: SnapshotBox

    /// The snapshot, shared by reference with the core.
    final class SnapshotBox: Sendable {
        private let value = Mutex(Snapshot())

        func withLock<T>(_ body: (inout Snapshot) -> T) -> T {
            value.withLock { body(&$0) }
        }
    }

    struct Snapshot {
        var current: GatewayGeneration?
        var frontMetrics: FrontMetrics?
        var addresses: GatewayAddresses?
        var stopped = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    /// Creates a gateway for `config`; nothing is built or started until ``prepare()`` or
    /// ``start(_:)``.
    ///
    /// - Parameters:
    ///   - policies: a registry for host policies, which then run after authorization and
    ///     before rate limits in every session (even when added after start); nil for none.
    ///   - endsAllChildren: at stop, end every upstream process of this process still running
    ///     (``UpstreamProcessShutdown``); say false when other gateways run in this process.
    ///   - tracer: where request spans go (``TracingMiddleware``); nil takes the tracer
    ///     bootstrapped with `InstrumentationSystem` when there is one, and traces nothing
    ///     otherwise.
    public init(config: ProxyConfig, policies: PolicyHookRegistry? = nil, logger: Logger = Logger(label: "mcp-proxy"),
                endsAllChildren: Bool = true, tracer: (any Tracer)? = nil) {
        let stats = StatsRegistry(significantDigits: 2)
        let snapshot = SnapshotBox()
        self.stats = stats
        self.policies = policies
        self.logger = logger
        self.endsAllChildren = endsAllChildren
        self.snapshot = snapshot
        let active = tracer ?? InstrumentationSystem.tracer
        self.core = GatewayCore(config: config, stats: stats, policies: policies,
                                tracer: MCPTracing.isActive(active) ? active : nil, logger: logger, snapshot: snapshot)
    }

    /// Builds the configuration's parts (upstream definitions, routes, authenticators, keys)
    /// without starting anything, so that problems show before ``start(_:)``; idempotent.
    ///
    /// - Throws: ``GatewayError`` (`.config`) naming the setting at fault.
    public func prepare(for front: Front = .network) async throws(GatewayError) {
        try await core.prepare(network: front == .network)
    }

    /// Starts serving; returns once every listener is bound (network) or the stdio session has
    /// begun. Shared upstreams warm up in the background. A gateway starts once.
    ///
    /// - Throws: ``GatewayError``: `.state` when already started, `.start` when a listener
    ///   cannot bind (nothing is left listening), `.config` for a part that cannot be built.
    @discardableResult
    public func start(_ front: Front) async throws(GatewayError) -> GatewayAddresses {
        try await core.start(front, gateway: self)
    }

    /// Starts the stdio front on one virtual endpoint of `proxy.endpoints` (its catalog,
    /// instructions and roles) instead of the whole catalog.
    ///
    /// - Throws: ``GatewayError`` (`.config`) when no endpoint has that path (the message lists
    ///   them) or the stdio principal has none of its roles; otherwise as ``start(_:)``.
    @discardableResult
    public func startStdio(endpoint path: String) async throws(GatewayError) -> GatewayAddresses {
        try await core.start(.stdio, gateway: self, stdioEndpoint: path)
    }

    /// Where the admin API's `POST /api/reload` reads the configuration again (usually the
    /// config file, with the same overrides); without one that request answers 409.
    public func setReloadSource(_ source: (@Sendable () throws -> ProxyConfig)?) async {
        await core.setReloadSource(source)
    }

    /// Where the gateway serves; nil before ``start(_:)``.
    public var addresses: GatewayAddresses? {
        snapshot.withLock { $0.addresses }
    }

    /// Replaces the configuration without dropping anyone: `config` is built first (on any
    /// problem nothing changes); then new client sessions get it, and open ones move onto it:
    /// they keep their connection, their requests in flight finish on the old configuration,
    /// and they are sent `list_changed` for tools, prompts and resources. A session that holds
    /// resource subscriptions (kept on its upstream sessions) finishes on the old configuration.
    /// Unchanged shared stdio upstreams keep running (the same processes); the old
    /// configuration's other upstreams stop once nothing uses them.
    ///
    /// Changes to the listeners (`proxy.listen`, `proxy.admin`, session limits, the
    /// protected-resource metadata) and switching authentication on or off need a restart; a
    /// stdio front serves one session for its whole life, so it cannot reload.
    ///
    /// - Throws: ``GatewayError``: `.config` for a configuration that cannot be built, `.state`
    ///   for a change that needs a restart or a stopped gateway.
    public func reload(_ config: ProxyConfig) async throws(GatewayError) {
        try await core.reload(config)
    }

    /// Stops gracefully: the fronts stop accepting, requests in flight get `grace` (nil: the
    /// config's `proxy.listen.drainSeconds`), then every session and upstream session closes
    /// and upstream processes get SIGTERM, then SIGKILL after their grace period. Returns when
    /// all of that is done; idempotent.
    public func stop(grace: Duration? = nil) async {
        await core.stop(grace: grace, endsAllChildren: endsAllChildren)
    }

    /// Waits until the gateway has stopped (a stdio client left, or ``stop(grace:)`` ran).
    public func waitUntilStopped() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = snapshot.withLock { state -> Bool in
                if state.stopped { return true }
                state.waiters.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
    }

    /// Whether the gateway has stopped.
    public var isStopped: Bool { snapshot.withLock { $0.stopped } }

    /// Each upstream's state in the current configuration (nothing is started to find out).
    public func upstreamStatus() -> [UpstreamStatus] {
        snapshot.withLock { $0.current }?.aggregated.upstreamStatus() ?? []
    }

    /// The statistics as JSON (the admin listener's `/stats`), the front's connection gauges
    /// read first.
    public func statsJSON() -> String {
        snapshot.withLock { $0.frontMetrics }?.refresh()
        return stats.jsonText()
    }

    /// The statistics in the Prometheus text format (the admin listener's `/metrics`).
    public func prometheusText() -> String {
        snapshot.withLock { $0.frontMetrics }?.refresh()
        return stats.prometheusText()
    }

    /// The configuration new sessions get.
    public var config: ProxyConfig {
        get async { await core.config }
    }
}
