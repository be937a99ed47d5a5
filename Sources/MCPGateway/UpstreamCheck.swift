import Logging
import MCPConfig
import MCPProxy
import MCPTransports
import NIOConcurrencyHelpers

/// `mcp-proxy check`: every upstream endpoint of a config started on its own, through the same
/// transports the proxy would use, initialized, listed, timed and stopped.
public enum UpstreamCheck {
    /// One endpoint's result (an upstream's own transport, or one of its replicas).
    public struct Row: Sendable, Equatable {
        /// The upstream's name, with `[n]` for its replica n (`search[1]`).
        public var label: String
        /// `stdio`, `streamable-http` (which falls back to legacy SSE on its own), `sse` or `websocket`.
        public var transport: String
        /// How a session with it begins. Always `initialize` today (the handshake era, protocol
        /// versions 2024-11-05 to 2025-11-25).
        public var era: String
        /// What the check found.
        public var report: UpstreamCheckReport
        /// The last lines the upstream's process wrote to stderr (at most five), for a stdio
        /// endpoint that failed; empty otherwise.
        public var standardError: [String]

        public var isHealthy: Bool { report.isHealthy }
    }

    /// Checks every endpoint of every upstream of `config` concurrently, each within `timeout`,
    /// and returns the rows in config order. Every child process started for the check has
    /// exited when this returns.
    ///
    /// - Throws: when the config cannot be turned into upstreams (a problem `ConfigLoader`
    ///   normally reports first).
    public static func run(config: ProxyConfig, timeout: Duration, logger: Logger = Logger(label: "mcp-proxy.check")) async throws -> [Row] {
        let collector = StandardErrorCollector()
        let checkLogger = Logger(label: logger.label) { _ in
            CollectingLogHandler(collector: collector, forward: logger)
        }
        let httpClient = ProxyAssembly.sharedHTTPClient(for: config)
        let definitions: [UpstreamDefinition]
        let options: ProxyOptions
        do {
            definitions = try ProxyAssembly.upstreams(from: config, logger: checkLogger, httpClient: httpClient)
            options = try ProxyAssembly.options(from: config)
        } catch {
            await httpClient?.shutdown()
            throw error
        }
        var jobs: [(definition: UpstreamDefinition, replica: Int, transport: TransportConfig, soleEndpoint: Bool)] = []
        for (server, definition) in zip(config.servers, definitions) {
            for (replica, endpoint) in server.endpoints.enumerated() {
                jobs.append((definition, replica, endpoint, server.replicas.isEmpty))
            }
        }
        let reports = await withTaskGroup(of: (Int, UpstreamCheckReport).self) { group in
            for (position, job) in jobs.enumerated() {
                group.addTask {
                    (position, await job.definition.check(replica: job.replica, options: options, timeout: timeout, logger: checkLogger))
                }
            }
            var reports = [UpstreamCheckReport?](repeating: nil, count: jobs.count)
            for await (position, report) in group { reports[position] = report }
            return reports
        }
        await httpClient?.shutdown()
        // Each check closed its transport; this catches a child that outlived its close (one
        // that ignores SIGTERM is killed after `proxy.upstreams.shutdownGraceSeconds`).
        await UpstreamProcessShutdown.endAll(config: config, logger: logger)

        return zip(jobs, reports).map { job, report in
            let report = report ?? UpstreamCheckReport(upstream: job.definition.name, replica: job.replica)
            let label = job.replica == 0 ? report.upstream : "\(report.upstream)[\(job.replica)]"
            // The transports of an upstream's replicas log under its one name, so their lines
            // cannot be told apart: only a lone stdio endpoint gets its own.
            var stderr: [String] = []
            if !report.isHealthy, job.soleEndpoint, case .stdio = job.transport {
                stderr = collector.lines(of: report.upstream)
            }
            return Row(label: label, transport: transportName(job.transport), era: "initialize", report: report, standardError: stderr)
        }
    }

    /// The transport's name as the check prints it.
    static func transportName(_ transport: TransportConfig) -> String {
        switch transport {
        case .stdio: return "stdio"
        case .remote(_, .streamableHTTP, _): return "streamable-http"
        case .remote(_, .sse, _): return "sse"
        case .remote(_, .webSocket, _): return "websocket"
        }
    }
}

/// The last lines of stderr of each upstream's children, from the transports' log.
final class StandardErrorCollector: Sendable {
    private let lines = NIOLockedValueBox<[String: [String]]>([:])
    static let kept = 5

    func add(_ line: String, upstream: String) {
        lines.withLockedValue { lines in
            lines[upstream, default: []].append(line)
            if lines[upstream]!.count > Self.kept { lines[upstream]!.removeFirst() }
        }
    }

    func lines(of upstream: String) -> [String] {
        lines.withLockedValue { $0[upstream] ?? [] }
    }
}

/// Keeps what children write to stderr (the transports log it with `source: stderr`) and
/// passes everything else to another logger, which filters by its own level.
struct CollectingLogHandler: LogHandler {
    let collector: StandardErrorCollector
    let forward: Logger
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        if case .string("stderr")? = event.metadata?["source"], case .string(let upstream)? = metadata["upstream"] {
            collector.add(event.message.description, upstream: upstream)
            return
        }
        guard event.level >= forward.logLevel else { return }
        forward.log(level: event.level, event.message, metadata: metadata.merging(event.metadata ?? [:]) { $1 },
                    source: event.source, file: event.file, function: event.function, line: event.line)
    }
}
