import ArgumentParser
import Foundation
import Logging
import MCPConfig
import MCPProxy
import MCPStats
import MCPTransports
import ServiceLifecycle

/// Runs the proxy as a network gateway: fronts, admin listener, graceful shutdown.
struct NetworkRunner {
    let config: ProxyConfig
    let runtime: RuntimeOptions

    /// Serves until a signal stops the gateway; remote upstreams of all sessions share one HTTP
    /// client, shut down at the end.
    func run(announce: Bool) async throws {
        let level = Logger.Level(rawValue: runtime.logLevel ?? config.proxy.logLevel) ?? .info
        LoggingBootstrap.once(level: level)
        let logger = Logger(label: "mcp-proxy")
        for warning in config.warnings { logger.warning("config: \(warning)") }
        let httpClient = ProxyAssembly.sharedHTTPClient(for: config)
        let outcome: Result<Void, any Error>
        do {
            try await serve(announce: announce, logger: logger, httpClient: httpClient)
            outcome = .success(())
        } catch {
            outcome = .failure(error)
        }
        await httpClient?.shutdown()
        // Last, on every path: no upstream process outlives the proxy.
        let held = SignalHandlers.holdingTermination()
        await UpstreamProcessShutdown.endAll(config: config, logger: logger)
        withExtendedLifetime(held) {}
        try outcome.get()
    }

    private func serve(announce: Bool, logger: Logger, httpClient: SharedHTTPClient?) async throws {
        let stats = StatsRegistry(significantDigits: 2)
        let upstreams: [UpstreamDefinition]
        let options: ProxyOptions
        let security: SecurityComponents
        do {
            upstreams = try ProxyAssembly.upstreams(from: config, logger: logger, httpClient: httpClient)
            options = try ProxyAssembly.options(from: config)
            security = try await SecurityComponents.build(from: config)
        } catch {
            FileHandle.standardError.write(Data("mcp-proxy: \(error)\n".utf8))
            throw ExitCode(2)
        }
        let aggregated = ProxyAssembly.proxy(upstreams: upstreams, options: options, stats: stats, security: security, logger: logger)
        var proxies: [String: MCPProxy] = ["*": aggregated]
        let listen = config.proxy.listen
        var endpoints = [
            HTTPEndpoint(path: listen.path, kind: .streamableHTTP, service: "*"),
            HTTPEndpoint(path: listen.ssePath, kind: .legacySSE(messagesPath: listen.messagesPath), service: "*"),
            HTTPEndpoint(path: listen.webSocketPath, kind: .webSocket, service: "*"),
        ]
        if listen.namedServers {
            for definition in upstreams {
                var alone = definition
                alone.namespace = .none
                proxies[definition.name] = ProxyAssembly.proxy(upstreams: [alone], options: options, stats: stats, security: security, logger: logger)
                let base = "/servers/\(definition.name)"
                endpoints += [
                    HTTPEndpoint(path: base + "/mcp", kind: .streamableHTTP, service: definition.name),
                    HTTPEndpoint(path: base + "/sse", kind: .legacySSE(messagesPath: base + "/messages"), service: definition.name),
                    HTTPEndpoint(path: base + "/ws", kind: .webSocket, service: definition.name),
                ]
            }
        }
        var front = HTTPFrontConfiguration(endpoints: endpoints)
        front.host = listen.host
        front.port = listen.port
        front.allowedOrigins = listen.allowedOrigins
        front.maxBodyBytes = listen.maxBodyBytes
        front.sessionIdleTimeout = .milliseconds(Int(listen.sessionIdleTimeoutSeconds * 1000))
        front.maxConnections = listen.maxConnections
        front.maxConnectionsPerAddress = listen.maxConnectionsPerAddress
        front.headerTimeout = .milliseconds(Int(listen.headerTimeoutSeconds * 1000))
        front.idleTimeout = .milliseconds(Int(listen.idleTimeoutSeconds * 1000))
        front.maxSessions = config.proxy.maxSessions
        front.maxSessionsPerPrincipal = config.proxy.maxSessionsPerPrincipal
        front.admission = security.admission
        front.staticDocuments = security.staticDocuments
        if let tls = listen.tls, let certificate = tls.certificate, let key = tls.privateKey {
            front.tls = TLSServerSettings(certificatePath: certificate, privateKeyPath: key, clientCAPath: tls.ca)
        }
        let server = HTTPFrontServer(configuration: front, logger: logger)
        let readiness = Readiness(proxy: aggregated)
        let frontMetrics = FrontMetrics(server: server, stats: stats)
        let admin = config.proxy.admin.map { settings in
            HTTPAdminServer(host: settings.host, port: settings.port, logger: logger) { method, path in
                frontMetrics.refresh()
                return AdminPages.answer(method: method, path: path, stats: stats, readiness: readiness)
            }
        }
        let service = GatewayService(
            server: server, admin: admin, proxies: proxies, readiness: readiness,
            drain: .milliseconds(Int(listen.drainSeconds * 1000)), logger: logger, announce: announce)
        let signals = SignalHandlers(stats: stats)
        _ = signals
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: [.init(service: service)],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        defer {
            if runtime.statsOnExit || config.proxy.dumpStatsOnExit {
                FileHandle.standardError.write(Data((stats.jsonText() + "\n").utf8))
            }
        }
        // The aggregated endpoint's shared upstreams warm up now; a named server's own proxy
        // starts its upstreams when its endpoint is first used.
        aggregated.start()
        let outcome: Result<Void, any Error>
        do {
            try await group.run()
            outcome = .success(())
        } catch {
            outcome = .failure(error)
        }
        // The fronts have stopped: close the shared upstream sessions (children get their grace
        // period; the runner's last step kills whatever is left).
        await withTaskGroup(of: Void.self) { group in
            for proxy in proxies.values { group.addTask { await proxy.shutdown() } }
        }
        do {
            try outcome.get()
        } catch let error as TransportError {
            // A listener could not bind: nothing was announced and nothing is left listening.
            FileHandle.standardError.write(Data("mcp-proxy: \(error.message)\n".utf8))
            throw ExitCode(1)
        }
    }
}

/// The fronts and admin listener as one lifecycle service.
struct GatewayService: Service {
    let server: HTTPFrontServer
    let admin: HTTPAdminServer?
    let proxies: [String: MCPProxy]
    let readiness: Readiness
    let drain: Duration
    let logger: Logger
    let announce: Bool

    func run() async throws {
        let proxies = self.proxies
        let logger = self.logger
        // Every listener is bound before any is announced: a taken port (admin or front) stops
        // the proxy with nothing announced and nothing left listening.
        let adminBound = try await admin?.start()
        let bound: (host: String, port: Int)
        do {
            bound = try await server.start { session in
                guard let proxy = proxies[session.service] else { return }
                Task {
                    do {
                        try await proxy.serve(session.transport)
                    } catch {
                        logger.error("session failed: \(error)")
                    }
                }
            }
        } catch {
            await admin?.shutdown()
            throw error
        }
        let url = "http://\(bound.host):\(bound.port)"
        logger.notice("listening", metadata: ["url": "\(url)"])
        if announce {
            FileHandle.standardError.write(Data("""
            mcp-proxy: serving MCP (example servers 'alpha' and 'beta') at
              \(url)/mcp            Streamable HTTP (point your MCP client here)
              \(url)/sse            legacy HTTP+SSE
              ws://\(bound.host):\(bound.port)/ws   WebSocket
            Try: curl -s \(url)/mcp -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' \\
                   -d '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"curl","version":"1"}}}'
            Ctrl-C stops it.

            """.utf8))
        }
        if let adminBound {
            logger.notice("admin listening", metadata: ["url": "http://\(adminBound.host):\(adminBound.port)"])
        }
        Task { await readiness.refresh() }
        try? await gracefulShutdown()
        logger.notice("shutting down: draining requests in flight", metadata: ["grace": "\(drain)"])
        readiness.markDraining()
        await server.shutdown(grace: drain)
        await admin?.shutdown()
    }
}
