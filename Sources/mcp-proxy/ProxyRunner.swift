import ArgumentParser
import Foundation
import Logging
import MCPConfig
import MCPGateway
import ServiceLifecycle

/// Runs the proxy over the process's own stdin/stdout until the client leaves or a signal arrives.
struct ProxyRunner {
    let config: ProxyConfig
    let runtime: RuntimeOptions
    /// The virtual endpoint to serve (`--endpoint`); nil serves the whole catalog.
    var endpoint: String? = nil

    /// Serves one client on stdin/stdout; at the end every upstream process is gone.
    func runOverStdio() async throws {
        let level = Logger.Level(rawValue: runtime.logLevel ?? config.proxy.logLevel) ?? .info
        LoggingBootstrap.once(level: level)
        let logger = Logger(label: "mcp-proxy")
        for warning in config.warnings {
            logger.warning("config: \(warning)")
        }
        let observability: (any Service)?
        do {
            observability = try TracingBootstrap.start(config.proxy.tracing, logger: logger)
        } catch {
            FileHandle.standardError.write(Data("mcp-proxy: proxy.tracing: \(error)\n".utf8))
            throw ExitCode(2)
        }
        let exporting = observability.map { service in Task { try? await service.run() } }
        defer { exporting?.cancel() }
        let gateway = Gateway(config: config, logger: logger)
        do {
            try await gateway.prepare(for: .stdio)
        } catch {
            FileHandle.standardError.write(Data("mcp-proxy: \(error)\n".utf8))
            await gateway.stop()
            throw ExitCode(2)
        }
        let signals = SignalHandlers(stats: gateway.stats)
        signals.onTerminate { Task { await gateway.stop() } }
        defer {
            if runtime.statsOnExit || config.proxy.dumpStatsOnExit {
                FileHandle.standardError.write(Data((gateway.stats.jsonText() + "\n").utf8))
            }
        }
        do {
            if let endpoint {
                try await gateway.startStdio(endpoint: endpoint)
            } else {
                try await gateway.start(.stdio)
            }
        } catch {
            await gateway.stop()
            logger.critical("\(error)")
            throw ExitCode(error.kind == .config ? 2 : 1)
        }
        await gateway.waitUntilStopped()
        // A second Ctrl-C must not cut the last step short (ending the upstream processes).
        withExtendedLifetime(SignalHandlers.holdingTermination()) {}
    }
}
