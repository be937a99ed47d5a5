import Logging
import MCPConfig
import MCPProxy
import MCPSecurity
import MCPStats
import MCPStatsMetrics
import MCPTransports
import Tracing
import Synchronization

/// The ``Gateway``'s state changes (prepare, start, reload, stop), one at a time.
actor GatewayCore {
    private enum Phase: Equatable {
        case created, starting, running(Gateway.Front), stopping, stopped
    }

    private(set) var config: ProxyConfig
    private let stats: StatsRegistry
    private let policies: PolicyHookRegistry?
    private let tracer: (any Tracer)?
    private let logger: Logger
    private let snapshot: Gateway.SnapshotBox
    private var phase = Phase.created
    /// Stopped without ever starting (start then says so).
    private var stoppedBeforeStart = false
    /// Built by `prepare` for this front kind.
    private var preparedForNetwork: Bool?
    private var current: GatewayGeneration?
    /// Replaced generations whose sessions are still open (or that are stopping).
    private var retired: [GatewayGeneration] = []
    private var server: HTTPFrontServer?
    /// `proxy.cluster`: sealed session ids and the Redis behind them; nil without it.
    private var cluster: ClusterAssembly?
    /// `proxy.cluster.redis` for the shared rate limits of every generation; nil without it.
    private var redisLink: ClusterRedisLink?
    /// This process's tag among the replicas (`proxy.cluster` with Redis): the high bits of the
    /// ids of requests its proxy sends clients, so answers find their way back.
    private let replicaTag = ReplicaTag.random()
    private var frontTerminator: FrontSessionTerminator?
    private var admin: HTTPAdminServer?
    private var admission: ReloadableAdmission?
    private var readiness: Readiness?
    /// The swift-metrics export (`proxy.metrics`); nil when off.
    private var metricsExport: StatsMetricsBridge?
    /// Where `POST /api/reload` reads the configuration again (the config file); nil when the
    /// gateway was made from text.
    private(set) var reloadSource: (@Sendable () throws -> ProxyConfig)?

    func setReloadSource(_ source: (@Sendable () throws -> ProxyConfig)?) {
        reloadSource = source
    }

    /// Runs while a reload or stop is busy, so they do not interleave across suspensions.
    private var busy = false
    private var queue: [CheckedContinuation<Void, Never>] = []

    init(config: ProxyConfig, stats: StatsRegistry, policies: PolicyHookRegistry?, tracer: (any Tracer)?, logger: Logger,
         snapshot: Gateway.SnapshotBox) {
        self.config = config
        self.stats = stats
        self.policies = policies
        self.tracer = tracer
        self.logger = logger
        self.snapshot = snapshot
    }

    /// One operation at a time, across its suspensions.
    private func exclusively<T>(_ body: () async throws(GatewayError) -> T) async throws(GatewayError) -> T {
        while busy {
            await withCheckedContinuation { queue.append($0) }
        }
        busy = true
        defer {
            busy = false
            if !queue.isEmpty { queue.removeFirst().resume() }
        }
        return try await body()
    }

    func prepare(network: Bool) async throws(GatewayError) {
        try await exclusively { () async throws(GatewayError) in try await prepareLocked(network: network) }
    }

    private func prepareLocked(network: Bool) async throws(GatewayError) {
        if preparedForNetwork == network, current != nil { return }
        let generation = try await GatewayGeneration.build(
            config: config, stats: stats, policies: policies, tracer: tracer, network: network, logger: logger, redis: redisLink(for: config),
            replicaTag: replicaTag)
        if let old = current { await old.stop() }
        current = generation
        preparedForNetwork = network
        snapshot.withLock { $0.current = generation }
    }

    func start(_ front: Gateway.Front, gateway: Gateway, stdioEndpoint: String? = nil) async throws(GatewayError) -> GatewayAddresses {
        try await exclusively { () async throws(GatewayError) -> GatewayAddresses in
            guard phase == .created else {
                if stoppedBeforeStart {
                    throw GatewayError(.state, "the gateway was stopped before it started; create a new one to start")
                }
                throw GatewayError(.state, "the gateway was already started; a gateway starts once (create a new one to start again)")
            }
            try await prepareLocked(network: front == .network)
            guard let generation = current else { throw GatewayError(.state, "the gateway has no configuration") }
            let stdioService = try stdioEndpoint.map { path throws(GatewayError) in try EndpointViews.stdioService(path, in: generation.views, principal: generation.security.stdioPrincipal) }
            phase = .starting
            let addresses: GatewayAddresses
            switch front {
            case .network:
                do throws(GatewayError) {
                    addresses = try await startNetwork(generation)
                } catch {
                    phase = .created
                    throw error
                }
            case .stdio:
                addresses = startStdio(generation, gateway: gateway, service: stdioService ?? "*")
            }
            phase = .running(front)
            snapshot.withLock { $0.addresses = addresses }
            await applyMetricsSettings()
            return addresses
        }
    }

    private func startStdio(_ generation: GatewayGeneration, gateway: Gateway, service: String) -> GatewayAddresses {
        generation.aggregated.start()  // shared upstreams warm up while the client connects
        let transport = StandardIOTransport(maxLineBytes: generation.config.proxy.maxLineBytes)
        generation.serve(transport, service: service, principal: generation.security.stdioPrincipal) { [weak gateway] in
            // The client left: the gateway is done.
            Task { await gateway?.stop() }
        }
        return GatewayAddresses(front: .stdio)
    }

    private func startNetwork(_ generation: GatewayGeneration) async throws(GatewayError) -> GatewayAddresses {
        let config = generation.config
        let listen = config.proxy.listen
        var endpoints = [
            HTTPEndpoint(path: listen.path, kind: .streamableHTTP, service: "*"),
            HTTPEndpoint(path: listen.ssePath, kind: .legacySSE(messagesPath: listen.messagesPath), service: "*"),
            HTTPEndpoint(path: listen.webSocketPath, kind: .webSocket, service: "*"),
        ]
        endpoints += EndpointViews.httpEndpoints(of: config)
        var front = HTTPFrontConfiguration(endpoints: endpoints)
        front.host = listen.host
        front.port = listen.port
        front.allowedOrigins = listen.allowedOrigins
        front.maxBodyBytes = listen.maxBodyBytes
        front.sessionIdleTimeout = .milliseconds(Int(listen.sessionIdleTimeoutSeconds * 1000))
        front.maxConnections = listen.maxConnections
        front.maxConnectionsPerAddress = listen.maxConnectionsPerAddress
        try front.trustProxies(of: listen)
        front.headerTimeout = .milliseconds(Int(listen.headerTimeoutSeconds * 1000))
        front.idleTimeout = .milliseconds(Int(listen.idleTimeoutSeconds * 1000))
        front.maxSessions = config.proxy.maxSessions
        front.maxSessionsPerPrincipal = config.proxy.maxSessionsPerPrincipal
        if let securityAdmission = generation.security.admission {
            let reloadable = ReloadableAdmission(EndpointViews.admission(securityAdmission, generation: generation))
            admission = reloadable
            front.admission = reloadable
        }
        front.staticDocuments = generation.security.staticDocuments
        front.toolHeaderAnnotations = { [snapshot] service, tool in snapshot.withLock { $0.current }?.toolHeaderAnnotations(service: service, tool: tool) }
        if let settings = config.proxy.cluster {
            let terminate = FrontSessionTerminator()
            let cluster = try await ClusterAssembly.build(
                settings, tag: replicaTag, replayEvents: front.replayBufferEvents, idleTimeout: front.sessionIdleTimeout, logger: logger,
                terminate: { id in terminate.end(id) }, endRevoked: { isRevoked in terminate.endRevoked(isRevoked) })
            self.cluster = cluster
            if let pool = cluster.pool { redisLink(for: config)?.attach(pool) }
            front.sessionContinuity = cluster.continuity
            front.sessionRelay = cluster.relay
            frontTerminator = terminate
        }
        if let tls = listen.tls, let certificate = tls.certificate, let key = tls.privateKey {
            front.tls = TLSServerSettings(certificatePath: certificate, privateKeyPath: key, clientCAPath: tls.ca)
        }
        let logger = self.logger
        let server = HTTPFrontServer(configuration: front, logger: logger)
        frontTerminator?.attach(server)
        let snapshot = self.snapshot
        let readiness = Readiness { snapshot.withLock { $0.current }?.aggregated }
        let frontMetrics = FrontMetrics(server: server, stats: stats)
        snapshot.withLock { $0.frontMetrics = frontMetrics }
        let router = AdminRouter(context: AdminContext(
            stats: stats, readiness: readiness, frontMetrics: frontMetrics, server: server, snapshot: snapshot, core: self))
        let admin = config.proxy.admin.map { settings in
            HTTPAdminServer(host: settings.host, port: settings.port, logger: logger, requestHandler: { request in
                await router.answer(request)
            })
        }
        // Every listener is bound before any is announced: a taken port (admin or front) stops
        // the gateway with nothing announced and nothing left listening.
        let adminBound: (host: String, port: Int)?
        do {
            adminBound = try await admin?.start()
        } catch {
            throw GatewayError(.start, error.message)
        }
        let bound: (host: String, port: Int)
        do {
            bound = try await server.start { session in
                let accepted = snapshot.withLock { $0.current }?.serve(session.transport, service: session.service, restoredInitialize: session.restored?.initializeParams) ?? false
                if !accepted {
                    logger.debug("a session arrived while the gateway stops; closing it")
                    Task { await session.transport.close() }
                }
            }
        } catch {
            await admin?.shutdown()
            throw GatewayError(.start, error.message)
        }
        self.server = server
        self.admin = admin
        self.readiness = readiness
        // The aggregated endpoint's shared upstreams warm up now; a named server's own proxy
        // starts its upstreams when its endpoint is first used.
        generation.aggregated.start()
        Task { await readiness.refresh() }
        let host = bound.host.contains(":") ? "[\(bound.host)]" : bound.host
        let url = "http://\(host):\(bound.port)"
        logger.notice("listening", metadata: ["url": "\(url)"])
        var addresses = GatewayAddresses(
            front: .network, url: url, mcp: url + listen.path, sse: url + listen.ssePath,
            webSocket: "ws://\(host):\(bound.port)" + listen.webSocketPath)
        if let adminBound {
            let adminHost = adminBound.host.contains(":") ? "[\(adminBound.host)]" : adminBound.host
            addresses.admin = "http://\(adminHost):\(adminBound.port)"
            logger.notice("admin listening", metadata: ["url": "\(addresses.admin ?? "")"])
        }
        return addresses
    }

    /// The link to `proxy.cluster.redis` (made on first use), or nil when `config` has none.
    private func redisLink(for config: ProxyConfig) -> ClusterRedisLink? {
        guard config.proxy.cluster?.redisURL != nil else { return nil }
        if let redisLink { return redisLink }
        let link = ClusterRedisLink(stats: stats)
        redisLink = link
        return link
    }

    private func applyMetricsSettings() async {
        let snapshot = self.snapshot
        metricsExport = await MetricsExport.apply(config.proxy.metrics, replacing: metricsExport, stats: stats, logger: logger) {
            snapshot.withLock { $0.frontMetrics }?.refresh()
        }
    }

    func reload(_ newConfig: ProxyConfig) async throws(GatewayError) {
        try await exclusively { () async throws(GatewayError) in
            switch phase {
            case .created:
                let network = preparedForNetwork ?? true
                config = newConfig
                preparedForNetwork = nil
                try await prepareLocked(network: network)
            case .running(.network):
                try await reloadNetwork(newConfig)
            case .running(.stdio):
                throw GatewayError(.state, "a stdio front serves one client session for its whole life, so it cannot reload; restart the proxy to change its configuration")
            case .starting, .stopping, .stopped:
                throw GatewayError(.state, "the gateway is stopping or stopped; reload a running gateway")
            }
        }
    }

    private func reloadNetwork(_ newConfig: ProxyConfig) async throws(GatewayError) {
        let changed = ReloadCompatibility.restartOnlyChanges(from: config, to: newConfig)
        guard changed.isEmpty else {
            throw GatewayError(.state, "these settings cannot change while the proxy runs: \(changed.joined(separator: ", ")); restart the proxy to change them (nothing was changed)")
        }
        let generation = try await GatewayGeneration.build(
            config: newConfig, stats: stats, policies: policies, tracer: tracer, network: true, logger: logger, replacing: current,
            redis: redisLink(for: newConfig), replicaTag: replicaTag)
        if let admission, let securityAdmission = generation.security.admission {
            admission.replace(with: EndpointViews.admission(securityAdmission, generation: generation))
        }
        generation.aggregated.start()
        let old = current
        current = generation
        config = newConfig
        snapshot.withLock { $0.current = generation }
        await applyMetricsSettings()
        logger.notice("configuration reloaded", metadata: [
            "upstreams": "\(newConfig.servers.map(\.name).joined(separator: ","))",
            "previousSessions": "\(old?.sessionCount ?? 0)",
        ])
        if let readiness { Task { await readiness.refresh() } }
        if let old {
            // Open sessions move onto the new configuration (those that cannot, finish on theirs).
            let moved = generation.adoptSessions(of: old)
            if moved > 0 { logger.info("moving open client sessions to the new configuration", metadata: ["sessions": "\(moved)"]) }
            retired.append(old)
            retired.removeAll { $0 === old ? false : $0.isStopped }
            Task { await old.retire() }
        }
    }

    func stop(grace: Duration?, endsAllChildren: Bool) async {
        try? await exclusively { () async throws(GatewayError) in
            switch phase {
            case .stopping, .stopped: return
            case .created, .starting:
                phase = .stopped
                stoppedBeforeStart = true
                if let current { await current.stop() }
            case .running:
                phase = .stopping
                readiness?.markDraining()
                let drain = grace ?? .milliseconds(Int(config.proxy.listen.drainSeconds * 1000))
                if let server {
                    logger.notice("shutting down: draining requests in flight", metadata: ["grace": "\(drain)"])
                    // Requests in flight get the grace period; idle sessions do not hold it up.
                    let generations = retired + [current].compactMap { $0 }
                    await server.shutdown(grace: drain) {
                        generations.allSatisfy { $0.isStopped || $0.requestsInFlight == 0 }
                    }
                }
                await admin?.shutdown()
                await withTaskGroup(of: Void.self) { group in
                    for generation in retired + [current].compactMap({ $0 }) {
                        group.addTask { await generation.stop() }
                    }
                }
                phase = .stopped
            }
            await cluster?.shutdown()
            cluster = nil
            await metricsExport?.stop()
            metricsExport = nil
            AccessLog.flushAll()
            if endsAllChildren {
                await UpstreamProcessShutdown.endAll(config: config, logger: logger)
            }
            let waiters = snapshot.withLock { state -> [CheckedContinuation<Void, Never>] in
                state.stopped = true
                defer { state.waiters.removeAll() }
                return state.waiters
            }
            for waiter in waiters { waiter.resume() }
        }
    }
}
