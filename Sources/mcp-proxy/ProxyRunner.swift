import ArgumentParser
import Foundation
import Logging
import MCPConfig
import MCPProxy
import MCPStats
import MCPTransports

/// Runs the proxy over the process's own stdin/stdout until the client leaves or a signal arrives.
struct ProxyRunner {
    let config: ProxyConfig
    let runtime: RuntimeOptions

    /// Serves one client on stdin/stdout; remote upstreams share one HTTP client, shut down at the end.
    func runOverStdio() async throws {
        let level = Logger.Level(rawValue: runtime.logLevel ?? config.proxy.logLevel) ?? .info
        LoggingBootstrap.once(level: level)
        let logger = Logger(label: "mcp-proxy")
        for warning in config.warnings {
            logger.warning("config: \(warning)")
        }
        let httpClient = ProxyAssembly.sharedHTTPClient(for: config)
        do {
            try await serve(logger: logger, httpClient: httpClient)
        } catch {
            await httpClient?.shutdown()
            throw error
        }
        await httpClient?.shutdown()
    }

    private func serve(logger: Logger, httpClient: SharedHTTPClient?) async throws {
        let upstreams: [UpstreamDefinition]
        let options: ProxyOptions
        let security: SecurityComponents
        do {
            upstreams = try ProxyAssembly.upstreams(from: config, logger: logger, httpClient: httpClient)
            options = try ProxyAssembly.options(from: config)
            security = try await SecurityComponents.build(from: config, network: false)
        } catch {
            FileHandle.standardError.write(Data("mcp-proxy: \(error)\n".utf8))
            throw ExitCode(2)
        }
        let stats = StatsRegistry(significantDigits: 2)
        let proxy = ProxyAssembly.proxy(upstreams: upstreams, options: options, stats: stats, security: security, logger: logger)
        let signals = SignalHandlers(stats: stats)
        let serving = Task {
            try await proxy.serve(StandardIOTransport(maxLineBytes: config.proxy.maxLineBytes), principal: security.stdioPrincipal)
        }
        signals.onTerminate { serving.cancel() }
        defer {
            if runtime.statsOnExit || config.proxy.dumpStatsOnExit {
                FileHandle.standardError.write(Data((stats.jsonText() + "\n").utf8))
            }
        }
        do {
            try await serving.value
        } catch {
            logger.critical("\(error)")
            throw ExitCode(1)
        }
    }
}
