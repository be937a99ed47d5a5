import Foundation
import JSONRPC
import Logging
import MCPConfig
import MCPGateway
import MCPProxy
import MCPSecurity
import Synchronization

/// What an `mcpproxy *` handle points at: a ``Gateway`` with a policy registry, owned by the C
/// caller through an `Unmanaged` reference until `mcpproxy_destroy`.
final class EmbeddedProxy: Sendable {
    let gateway: Gateway
    let policies = PolicyHookRegistry()
    private let logger: Logger
    private let configForShutdown: Mutex<ProxyConfig>
    private let started = Mutex(false)

    /// Gateways of this process that are running: the last one to stop ends every upstream
    /// process still left (a gateway must not end another's children).
    private static let running = Mutex(0)

    init(config: ProxyConfig) {
        LoggingBootstrap.once(level: Logger.Level(rawValue: config.proxy.logLevel) ?? .info)
        let logger = Logger(label: "mcp-proxy")
        for warning in config.warnings { logger.warning("config: \(warning)") }
        self.logger = logger
        self.configForShutdown = Mutex(config)
        self.gateway = Gateway(config: config, policies: policies, logger: logger, endsAllChildren: false)
    }

    /// Parses config text; the error lists every problem.
    static func load(text: String, sourceName: String) -> Result<ProxyConfig, GatewayError> {
        do {
            return .success(try ConfigLoader.load(text: text, sourceName: sourceName, environment: ProcessInfo.processInfo.environment))
        } catch {
            return .failure(GatewayError(.config, "the config has problems:\n\(error)"))
        }
    }

    func start(_ front: Gateway.Front) async throws(GatewayError) {
        try await gateway.start(front)
        started.withLock { $0 = true }
        Self.running.withLock { $0 += 1 }
    }

    func reload(_ config: ProxyConfig) async throws(GatewayError) {
        try await gateway.reload(config)
        configForShutdown.withLock { $0 = config }
    }

    func stop(grace: Duration?) async {
        let wasRunning = !gateway.isStopped && started.withLock { $0 }
        await gateway.stop(grace: grace)
        guard wasRunning else { return }
        let last = Self.running.withLock { count -> Bool in
            count -= 1
            return count == 0
        }
        if last {
            await UpstreamProcessShutdown.endAll(config: configForShutdown.withLock { $0 }, logger: logger)
        }
    }

    /// The upstreams' states as a JSON array.
    func upstreamsJSON() -> String {
        UpstreamStatusJSON.encode(gateway.upstreamStatus())
    }
}
