import JSONRPC
import Logging
import MCPConfig
import MCPProxy
import MCPReliability
import MCPRouting
import MCPStats
import MCPTransports

/// Turns a loaded config file into the proxy's parts.
enum ProxyAssembly {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// One HTTP client for all remote upstreams of every session, when the config has any (nil:
    /// none needed). The caller shuts it down once the proxy has stopped.
    static func sharedHTTPClient(for config: ProxyConfig) -> SharedHTTPClient? {
        let remote = config.servers.contains { server in
            if case .remote = server.transport { return true }
            return false
        }
        return remote ? SharedHTTPClient() : nil
    }

    /// `protocolEra` of a server: stdio and Streamable HTTP upstreams are probed by default (a
    /// modern one answers `server/discover` at once; a handshake-era one answers an error, over
    /// HTTP a 4xx, or, rarely, nothing, which costs the probe's timeout once per start). Legacy
    /// HTTP+SSE and WebSocket upstreams always get `initialize` (2026-07-28 has neither).
    static func era(of server: ServerConfig) -> UpstreamEra {
        let probeTimeout: Duration
        switch server.transport {
        case .stdio: probeTimeout = .seconds(3)
        case .remote(_, .streamableHTTP, _): probeTimeout = .seconds(10)
        case .remote: return .handshake
        }
        switch server.protocolEra {
        case .auto: return .probe(probeTimeout: probeTimeout)
        case .handshake: return .handshake
        case .modern: return .modern
        }
    }

    /// The upstream definitions; remote upstreams send through `httpClient` (from
    /// `sharedHTTPClient(for:)`), so that client sessions do not each open a connection pool.
    /// `stats` gets the token-exchange counters of servers with per-user credentials.
    static func upstreams(from config: ProxyConfig, logger: Logger, httpClient: SharedHTTPClient?,
                          stats: StatsRegistry? = nil) throws -> [UpstreamDefinition] {
        var result: [UpstreamDefinition] = []
        for server in config.servers {
            let namespace: NamespaceStyle = server.namespace.map { .prefix($0, separator: server.separator) } ?? .none
            let startup: UpstreamStartup = server.startup == .lazy ? .lazy : .eager
            let filters = try (
                NameFilter(allow: server.tools.allow, deny: server.tools.deny),
                NameFilter(allow: server.prompts.allow, deny: server.prompts.deny),
                NameFilter(allow: server.resources.allow, deny: server.resources.deny))
            let factories = server.endpoints.map { transport in
                transportFactory(transport, server: server, config: config, logger: logger, httpClient: httpClient)
            }
            var definition = UpstreamDefinition(
                name: server.name, namespace: namespace,
                toolFilter: filters.0, promptFilter: filters.1, resourceFilter: filters.2,
                startup: startup, policy: try policy(for: server),
                replicas: Array(factories.dropFirst()),
                makeTransport: factories[0])
            definition.era = era(of: server)
            if case .remote(_, .streamableHTTP, _) = server.transport, server.protocolEra == .auto {
                definition.eraMemo = UpstreamEraMemo()   // the era is cached per origin
            }
            UserCredentialsAssembly.attach(server, to: &definition, config: config, logger: logger, httpClient: httpClient, stats: stats)
            result.append(definition)
        }
        return result
    }

    /// How one of a server's endpoints (its own transport or a replica's) is reached.
    private static func transportFactory(
        _ transport: TransportConfig, server: ServerConfig, config: ProxyConfig, logger: Logger, httpClient: SharedHTTPClient?
    ) -> @Sendable () -> any MessageTransport {
        let name = server.name
        switch transport {
        case .stdio(let command, let arguments, let environment, let inherit, let directory):
            let configuration = StdioProcessConfiguration(
                command: command, arguments: arguments, environment: environment,
                inheritEnvironment: inherit, workingDirectory: directory,
                maxLineBytes: config.proxy.maxLineBytes,
                shutdownGrace: .milliseconds(Int(config.proxy.shutdownGraceSeconds * 1000)),
                sandbox: server.sandbox.map(processSandbox))
            return { StdioProcessTransport(name: name, configuration: configuration, logger: logger) }
        case .remote(let url, let kind, let headers):
            let remoteKind: RemoteUpstreamConfiguration.Kind
            switch kind {
            case .streamableHTTP: remoteKind = .automatic   // Streamable HTTP, with the spec's fallback to legacy SSE
            case .sse: remoteKind = .legacySSE
            case .webSocket: remoteKind = .webSocket
            }
            let remote = remoteConfiguration(url: url, kind: remoteKind, headers: headers, server: server, config: config)
            return { RemoteUpstreamTransport.make(name: name, configuration: remote, logger: logger, shared: httpClient) }
        }
    }

    /// A remote endpoint of `server`: its URL, headers, TLS, timeout and message limit.
    static func remoteConfiguration(url: String, kind: RemoteUpstreamConfiguration.Kind, headers: [String: String],
                                    server: ServerConfig, config: ProxyConfig) -> RemoteUpstreamConfiguration {
        let tls = server.tls.map {
            TLSClientSettings(caCertificatePath: $0.ca, clientCertificatePath: $0.certificate, clientKeyPath: $0.privateKey)
        }
        return RemoteUpstreamConfiguration(
            url: url, kind: kind, headers: headers, tls: tls,
            requestTimeout: .milliseconds(Int((server.timeoutSeconds ?? config.proxy.requestTimeoutSeconds) * 1000)),
            maxMessageBytes: config.proxy.maxMessageBytes)
    }

    /// The pool and reliability policy from a server's `pool`, `health`, `breaker`, `retry`,
    /// `timeoutSeconds`, `toolTimeouts`, `maxConcurrent`, `maxQueued` and `maxRSSMiB`.
    static func policy(for server: ServerConfig) throws -> UpstreamPolicy {
        let pool = server.pool
        return UpstreamPolicy(
            mode: pool.mode == .perSession ? .perSession : .shared,
            size: pool.size,
            max: pool.max,
            idleTimeout: seconds(pool.idleTimeoutSeconds),
            serverRequests: pool.serverRequests == .refuse ? .refuse : .lease,
            maxChildren: pool.maxChildren,
            health: server.health.map { UpstreamPolicy.HealthCheck(interval: seconds($0.intervalSeconds), timeout: seconds($0.timeoutSeconds)) },
            breaker: server.breaker.map {
                CircuitBreakerPolicy(failureThreshold: $0.failureThreshold, openDuration: seconds($0.openSeconds), countErrors: $0.countErrors)
            },
            retry: RetryPolicy(attempts: server.retry.attempts, backoff: .milliseconds(Int64(server.retry.backoffMs.rounded()))),
            timeout: server.timeoutSeconds.map(seconds),
            toolTimeouts: try server.toolTimeouts.map { entry in
                do {
                    return UpstreamPolicy.ToolTimeout(pattern: try GlobPattern(entry.pattern), timeout: seconds(entry.seconds))
                } catch {
                    throw Failure(description: "mcpServers.\(server.name).toolTimeouts: '\(entry.pattern)' is not a valid glob: \(error)")
                }
            },
            maxConcurrent: server.maxConcurrent,
            maxQueued: server.maxQueued,
            maxRSSBytes: UInt64(max(server.maxRSSMiB, 0)) * 1_048_576)
    }

    private static func seconds(_ value: Double) -> Duration {
        .milliseconds(Int64((value * 1000).rounded()))
    }

    /// The transport's sandbox for a server's `sandbox` section.
    static func processSandbox(_ sandbox: SandboxConfig) -> ProcessSandbox {
        ProcessSandbox(
            environmentAllow: sandbox.envAllow,
            limits: ProcessResourceLimits(
                memoryMB: sandbox.limits.memoryMB, cpuSeconds: sandbox.limits.cpuSeconds,
                openFiles: sandbox.limits.openFiles, processes: sandbox.limits.processes),
            dieWithProxy: sandbox.dieWithProxy,
            noNewPrivileges: sandbox.noNewPrivileges,
            user: sandbox.user,
            group: sandbox.group)
    }

    static func options(from config: ProxyConfig) throws -> ProxyOptions {
        let settings = config.proxy
        let rules: [RouteRule] = try settings.routes.map { route in
            let action: RouteAction
            switch route.action {
            case "allow": action = .allow
            case "deny": action = .deny
            case "route":
                guard let target = route.to else { throw Failure(description: "route to nowhere: 'to' is required with action 'route'") }
                action = .route(upstream: target)
            default:
                throw Failure(description: "unknown route action '\(route.action)'")
            }
            return RouteRule(method: route.method, name: route.name, upstream: route.upstream, action: action)
        }
        var options = ProxyOptions(
            serverName: settings.name,
            serverVersion: settings.version,
            instructions: settings.instructions,
            scanLimits: ScanLimits(maxMessageBytes: settings.maxMessageBytes, maxDepth: settings.maxNestingDepth),
            requestTimeout: .milliseconds(Int(settings.requestTimeoutSeconds * 1000)),
            initializeTimeout: .milliseconds(Int(settings.initializeTimeoutSeconds * 1000)),
            collisionPolicy: CollisionPolicy(rawValue: settings.collision) ?? .firstWins,
            maxNameLength: settings.maxNameLength,
            rewriteResourceURIs: settings.rewriteResourceURIs,
            pageSize: settings.pageSize,
            routes: try RouteTable(rules: rules),
            restartUpstreams: settings.restartUpstreams,
            failOpen: settings.failOpen == .keep ? .keep : .hide)
        options.serverRequests = try ServerRequestsAssembly.rules(from: settings.serverRequests)
        return options
    }
}
