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
        let outcome: Result<Void, any Error>
        do {
            try await serve(logger: logger, httpClient: httpClient)
            outcome = .success(())
        } catch {
            outcome = .failure(error)
        }
        await httpClient?.shutdown()
        // Last, on every path: no upstream process outlives the proxy.
        await UpstreamProcessShutdown.endAll(config: config, logger: logger)
        try outcome.get()
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
        proxy.start()  // shared upstreams warm up while the client connects
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
            await proxy.shutdown()
        } catch {
            await proxy.shutdown()
            logger.critical("\(error)")
            throw ExitCode(1)
        }
    }
}

/// The last step of every run, stdio or network, whatever ended it (the client, a signal, an
/// error): every upstream process still running gets SIGTERM to its process group, then SIGKILL
/// after `proxy.upstreams.shutdownGraceSeconds`, and is reaped before the proxy exits. Sessions
/// normally close their upstreams first; this catches the ones still running when the proxy is
/// about to exit, which the parent-death signal would miss (grandchildren, `dieWithProxy: false`).
enum UpstreamProcessShutdown {
    static func endAll(config: ProxyConfig, logger: Logger) async {
        let running = ChildProcess.liveCount
        guard running > 0 else { return }
        let grace = Duration.milliseconds(Int((config.proxy.shutdownGraceSeconds * 1000).rounded()))
        logger.info("stopping upstream processes still running", metadata: ["count": "\(running)", "grace": "\(grace)"])
        let killed = await ChildProcess.terminateAll(grace: grace)
        if !killed.isEmpty {
            logger.warning(
                "upstream processes ignored SIGTERM for the grace period and were killed",
                metadata: ["pids": "\(killed.map(String.init).joined(separator: ","))"])
        }
    }
}
