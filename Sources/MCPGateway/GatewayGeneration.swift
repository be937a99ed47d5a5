import Logging
import MCPConfig
import MCPProxy
import MCPSecurity
import MCPStats
import MCPTransports
import Tracing
import Synchronization

/// Everything one configuration builds: the aggregated proxy, its virtual endpoints (views of it:
/// `proxy.endpoints` and the named servers), the security parts and the HTTP client of remote
/// upstreams.
///
/// A reload builds a new generation; new client sessions go to it, and the open sessions of the
/// previous one move onto it (``adoptSessions(of:)``) except those holding resource
/// subscriptions, which finish where they are. A retired generation stops its upstreams when its
/// last session (or moved session's last request in flight) ends.
final class GatewayGeneration: Sendable {
    let config: ProxyConfig
    let security: SecurityComponents
    /// The aggregated proxy under "*" (every endpoint is a view of it).
    let proxies: [String: MCPProxy]
    /// The virtual endpoints by path (their HTTP service key): `proxy.endpoints` and, with
    /// `proxy.listen.namedServers`, `/servers/<name>/mcp`.
    let views: [String: EndpointView]
    let upstreams: [UpstreamDefinition]
    private let httpClient: SharedHTTPClient?
    private let logger: Logger
    private let state = Mutex<State>(State())

    private struct State {
        var sessions = 0
        var retired = false
        var stopped = false
        var tasks: [Int: Task<Void, Never>] = [:]
        var nextTask = 0
    }

    /// The aggregated endpoint's proxy (also `proxies["*"]`).
    let aggregated: MCPProxy

    /// Builds the parts of `config`; throws with a message that names the setting at fault.
    static func build(
        config: ProxyConfig, stats: StatsRegistry, policies: PolicyHookRegistry?, tracer: (any Tracer)?, network: Bool, logger: Logger,
        replacing previous: GatewayGeneration? = nil, redis: ClusterRedisLink? = nil, replicaTag: ReplicaTag? = nil
    ) async throws(GatewayError) -> GatewayGeneration {
        let httpClient = ProxyAssembly.sharedHTTPClient(for: config)
        do {
            let upstreams = try ProxyAssembly.upstreams(from: config, logger: logger, httpClient: httpClient, stats: stats)
            var options = try ProxyAssembly.options(from: config)
            try GovernanceAssembly.apply(config, to: &options, stats: stats, logger: logger)
            // Requests to clients carry this replica's tag, so any replica can route their answers here.
            if let replicaTag, config.proxy.cluster?.redisURL != nil { options.serverRequestIDBase = replicaTag.requestIDBase }
            options.toolPinning = try PinningAssembly.pinning(
                config: config, stats: stats, logger: logger, previous: previous?.aggregated.options.toolPinning)
            let views = try EndpointViews.build(from: config, network: network)
            var security = try await SecurityComponents.build(from: config, network: network, stats: stats)
            // proxy.rateLimits through proxy.cluster.redis: a call gate instead of the pipeline stage.
            SharedRateLimitGate.install(config, redis: redis, network: network, security: &security, options: &options, stats: stats)
            // Nothing fails from here on: unchanged upstreams of the configuration this one
            // replaces keep running and serve this one too.
            let inherited = previous.map { previous in
                previous.aggregated.handOverUpstreams(UpstreamReuse.unchanged(from: previous.config, to: config))
            }
            if let inherited, !inherited.names.isEmpty {
                logger.info("reload: unchanged upstreams keep running", metadata: ["upstreams": "\(inherited.names.joined(separator: ","))"])
            }
            let aggregated = ProxyAssembly.proxy(
                upstreams: upstreams, options: options, stats: stats, security: security, policies: policies, tracer: tracer,
                inheriting: inherited, logger: logger)
            return GatewayGeneration(config: config, security: security, aggregated: aggregated, views: views, upstreams: upstreams,
                                     httpClient: httpClient, logger: logger)
        } catch {
            await httpClient?.shutdown()
            throw GatewayError(.config, "\(error)")
        }
    }

    private init(config: ProxyConfig, security: SecurityComponents, aggregated: MCPProxy, views: [String: EndpointView], upstreams: [UpstreamDefinition],
                 httpClient: SharedHTTPClient?, logger: Logger) {
        self.config = config
        self.security = security
        self.aggregated = aggregated
        self.proxies = ["*": aggregated]
        self.views = views
        self.upstreams = upstreams
        self.httpClient = httpClient
        self.logger = logger
    }

    /// Serves one client session in a task of its own: on the aggregated proxy ("*"), or on the
    /// virtual endpoint whose path `service` is; false when this generation has stopped or has no
    /// such endpoint.
    @discardableResult
    func serve(_ transport: any MessageTransport, service: String, principal: Principal? = nil,
               restoredInitialize: [UInt8]? = nil, onEnd: (@Sendable () -> Void)? = nil) -> Bool {
        let endpoint = service == "*" ? nil : views[service]
        guard service == "*" || endpoint != nil else { return false }
        let proxy = aggregated
        let logger = self.logger
        return state.withLock { state -> Bool in
            guard !state.stopped else { return false }
            state.sessions += 1
            let key = state.nextTask
            state.nextTask += 1
            state.tasks[key] = Task {
                do {
                    try await proxy.serve(transport, principal: principal, endpoint: endpoint, restoredInitialize: restoredInitialize)
                } catch {
                    logger.error("session failed: \(error)")
                }
                await self.sessionEnded(key)
                onEnd?()
            }
            return true
        }
    }

    /// Moves the open client sessions of `old` (the configuration a reload replaced) here, each
    /// onto the same endpoint (by path, as the new configuration defines it): they keep their
    /// connection and get `list_changed`. Sessions that cannot move (not initialized yet, holding
    /// resource subscriptions, or on an endpoint the new configuration no longer has) finish on
    /// the old configuration. Returns how many moved.
    func adoptSessions(of old: GatewayGeneration) -> Int {
        var moved = 0
        let proxy = aggregated
        for oldProxy in old.proxies.values {
            for session in oldProxy.openSessions() {
                let endpoint = session.endpointPath.flatMap { views[$0] }
                if session.endpointPath != nil, endpoint == nil { continue }
                let accepted = state.withLock { state -> Bool in
                    guard !state.stopped else { return false }
                    state.sessions += 1
                    let key = state.nextTask
                    state.nextTask += 1
                    state.tasks[key] = Task {
                        _ = await proxy.adopt(session, endpoint: endpoint)
                        await self.sessionEnded(key)
                    }
                    return true
                }
                if accepted { moved += 1 }
            }
        }
        return moved
    }

    private func sessionEnded(_ key: Int) async {
        let stopNow = state.withLock { state -> Bool in
            state.sessions -= 1
            state.tasks[key] = nil
            return state.retired && state.sessions == 0 && !state.stopped
        }
        if stopNow {
            logger.info("a replaced configuration's last session ended: stopping its upstreams")
            await stop()
        }
    }

    /// No new sessions come here any more; stops now when none is open, else when the last ends.
    func retire() async {
        let stopNow = state.withLock { state -> Bool in
            state.retired = true
            return state.sessions == 0 && !state.stopped
        }
        if stopNow { await stop() }
    }

    /// Client requests in flight over every proxy of this generation.
    var requestsInFlight: Int {
        proxies.values.reduce(0) { $0 + $1.requestsInFlight }
    }

    /// Whether ``stop()`` has run.
    var isStopped: Bool { state.withLock { $0.stopped } }

    /// Open client sessions.
    var sessionCount: Int { state.withLock { $0.sessions } }

    /// Ends every open session (each drains its requests in flight and stops its own
    /// upstreams), then stops the shared upstreams and the HTTP client. Idempotent.
    func stop() async {
        let tasks = state.withLock { state -> [Task<Void, Never>]? in
            guard !state.stopped else { return nil }
            state.stopped = true
            return Array(state.tasks.values)
        }
        guard let tasks else { return }
        // Each cancelled session finishes: it drains its requests, then stops its own upstreams.
        for task in tasks { task.cancel() }
        for task in tasks { await task.value }
        await withTaskGroup(of: Void.self) { group in
            for proxy in proxies.values { group.addTask { await proxy.shutdown() } }
        }
        await httpClient?.shutdown()
    }
}
