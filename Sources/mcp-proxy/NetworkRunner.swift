import ArgumentParser
import Foundation
import Logging
import MCPConfig
import MCPGateway
import ServiceLifecycle

/// Runs the proxy as a network gateway: fronts, admin listener, reload on SIGHUP, graceful
/// shutdown on SIGINT and SIGTERM.
struct NetworkRunner {
    let config: ProxyConfig
    let runtime: RuntimeOptions
    /// How a reload gets the new configuration (the config file again, with the same
    /// `--listen`/`--admin` overrides); nil when the configuration cannot be reloaded (demo).
    var reloadConfig: (@Sendable () throws -> ProxyConfig)?
    /// `--watch-config`: the file whose changes trigger a reload.
    var watchConfigPath: String?

    /// Serves until a signal stops the gateway; at the end every upstream process is gone.
    func run(announce: Bool) async throws {
        let level = Logger.Level(rawValue: runtime.logLevel ?? config.proxy.logLevel) ?? .info
        LoggingBootstrap.once(level: level)
        let logger = Logger(label: "mcp-proxy")
        for warning in config.warnings { logger.warning("config: \(warning)") }
        let observability: (any Service)?
        do {
            observability = try TracingBootstrap.start(config.proxy.tracing, logger: logger)
        } catch {
            FileHandle.standardError.write(Data("mcp-proxy: proxy.tracing: \(error)\n".utf8))
            throw ExitCode(2)
        }
        // After the tracer is bootstrapped: the gateway traces into it.
        let gateway = Gateway(config: config, logger: logger)
        do {
            try await gateway.prepare(for: .network)
        } catch {
            FileHandle.standardError.write(Data("mcp-proxy: \(error)\n".utf8))
            await gateway.stop()
            throw ExitCode(2)
        }
        await gateway.setReloadSource(reloadConfig)
        let signals = SignalHandlers(stats: gateway.stats)
        var watch: ConfigFileWatch?
        if let reloadConfig {
            signals.onReload {
                Task { await Self.reload(gateway, from: reloadConfig, logger: logger) }
            }
            if let watchConfigPath {
                logger.info("watching the config file for changes", metadata: ["path": "\(watchConfigPath)"])
                watch = ConfigFileWatch(path: watchConfigPath) {
                    logger.notice("the config file changed: reloading")
                    await Self.reload(gateway, from: reloadConfig, logger: logger)
                }
            }
        }
        defer {
            if runtime.statsOnExit || config.proxy.dumpStatsOnExit {
                FileHandle.standardError.write(Data((gateway.stats.jsonText() + "\n").utf8))
            }
        }
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: [.init(service: GatewayService(gateway: gateway, announce: announce))]
                + (observability.map { [ServiceGroupConfiguration.ServiceConfiguration(service: $0)] } ?? []),
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        let outcome: Result<Void, any Error>
        do {
            try await group.run()
            outcome = .success(())
        } catch {
            outcome = .failure(error)
        }
        // A second Ctrl-C must not cut the last step short (ending the upstream processes).
        let held = SignalHandlers.holdingTermination()
        await gateway.stop()
        withExtendedLifetime(held) {}
        withExtendedLifetime(signals) {}
        withExtendedLifetime(watch) {}
        do {
            try outcome.get()
        } catch let error as GatewayError {
            // A listener could not bind: nothing was announced and nothing is left listening.
            FileHandle.standardError.write(Data("mcp-proxy: \(error.message)\n".utf8))
            throw ExitCode(error.kind == .config ? 2 : 1)
        }
    }

    /// SIGHUP: reads the configuration again and reloads; a bad file changes nothing.
    private static func reload(_ gateway: Gateway, from load: @Sendable () throws -> ProxyConfig, logger: Logger) async {
        let config: ProxyConfig
        do {
            config = try load()
        } catch {
            logger.error("reload refused: the config has problems; the running configuration stays\n\(error)")
            return
        }
        for warning in config.warnings { logger.warning("config: \(warning)") }
        do {
            try await gateway.reload(config)
        } catch {
            logger.error("reload refused: \(error.message)")
        }
    }
}

/// The gateway as one lifecycle service: starts it, announces it, and stops it on the first
/// SIGINT or SIGTERM.
struct GatewayService: Service {
    let gateway: Gateway
    let announce: Bool

    func run() async throws {
        let addresses = try await gateway.start(.network)
        if announce, let url = addresses.url, let mcp = addresses.mcp, let sse = addresses.sse, let ws = addresses.webSocket {
            FileHandle.standardError.write(Data("""
            mcp-proxy: serving MCP (example servers 'alpha' and 'beta') at
              \(mcp)            Streamable HTTP (point your MCP client here)
              \(sse)            legacy HTTP+SSE
              \(ws)   WebSocket
            Try: curl -s \(url)/mcp -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' \\
                   -d '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"curl","version":"1"}}}'
            Ctrl-C stops it.

            """.utf8))
        }
        try? await gracefulShutdown()
        await gateway.stop()
    }
}
