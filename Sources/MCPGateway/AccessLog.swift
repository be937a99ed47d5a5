import Logging
import MCPConfig
import MCPStats

/// One structured line per client request, through swift-log: time, principal, session,
/// method, tool or URI, upstream, latency, outcome, bytes in and out.
///
/// Requests pay for a record (a copy of a few fields) and a lock-protected append to a bounded
/// queue; the line is formatted and written on the access log's own thread
/// (``AccessLogWriter``). When that thread falls behind by 16,384 lines, further lines are
/// dropped and counted in `mcp_proxy_access_log_dropped_total`.
///
/// The gateway builds one from `proxy.accessLog`. In a proxy of your own, put its
/// ``middleware`` first in the chain, so that it also sees what later stages refuse:
///
/// ```swift
/// let accessLog = AccessLog(format: .json, logger: Logger(label: AccessLog.label))
/// let proxy = MCPProxy(upstreams: upstreams, options: options, logger: logger) {
///     accessLog.middleware
///     AuthorizationMiddleware<ProxyRequestContext>(authorizer: rules)
/// }
/// ```
public final class AccessLog: Sendable {
    /// The label of the access log's logger.
    public static let label = "mcp-proxy.access"

    /// How lines are written.
    public let format: AccessLogSettings.Format
    /// Which requests get a line.
    public let include: AccessLogSettings.Include
    private let logger: Logger
    private let dropped: MCPStats.Counter?
    private let writer: AccessLogWriter
    /// Whether a batch of lines goes to the logger as one message (lines joined by line
    /// breaks): only for the log's own handler, which writes them in a few `write(2)` calls.
    private let joinsLines: Bool

    /// Creates an access log that writes each line as an `info` message of `logger` (whose
    /// handler decides where it goes); `stats` counts dropped lines.
    public convenience init(format: AccessLogSettings.Format = .text, include: AccessLogSettings.Include = .all, logger: Logger,
                            stats: StatsRegistry? = nil) {
        self.init(format: format, include: include, logger: logger, stats: stats, writer: .shared)
    }

    init(format: AccessLogSettings.Format, include: AccessLogSettings.Include, logger: Logger, stats: StatsRegistry?,
         writer: AccessLogWriter, joinsLines: Bool = false) {
        self.joinsLines = joinsLines
        self.format = format
        self.include = include
        self.logger = logger
        self.dropped = stats?.counter("mcp_proxy_access_log_dropped_total",
                                      help: "Access-log lines dropped because the writer fell behind")
        self.writer = writer
    }

    /// Creates the access log `settings` describe: lines alone (no level or label prefix) on
    /// stderr, or appended to a file.
    ///
    /// - Throws: ``AccessLogError`` when the file cannot be opened.
    public convenience init(settings: AccessLogSettings, stats: StatsRegistry? = nil) throws {
        let output: AccessLogOutput
        switch settings.destination {
        case .stderr: output = .standardError
        case .file(let path): output = try AccessLogOutput(appendingTo: path)
        }
        let logger = Logger(label: Self.label) { label in AccessLogLineHandler(output: output) }
        self.init(format: settings.format, include: settings.include, logger: logger, stats: stats, writer: .shared, joinsLines: true)
    }

    /// The pipeline stage that feeds this log.
    public var middleware: AccessLogMiddleware { AccessLogMiddleware(log: self) }

    /// Queues a line for `record`, unless `include` leaves it out.
    public func record(_ record: AccessLogRecord) {
        guard include == .all || record.outcome.isFailure else { return }
        if !writer.submit(record, to: self) {
            dropped?.increment()
        }
    }

    /// Waits until every line queued so far is written.
    public func flush() {
        writer.flush()
    }

    /// Waits until every line queued so far by any access log of the process is written (the
    /// gateway does it when it stops).
    public static func flushAll() {
        AccessLogWriter.shared.flush()
    }

    /// Formats and writes a batch of lines (on the writer's thread): one `info` message each, or
    /// one message for the batch with the log's own handler.
    func write(_ jobs: ArraySlice<AccessLogWriter.Job>) {
        guard joinsLines else {
            for job in jobs {
                logger.log(level: .info, Logger.Message(stringLiteral: AccessLogFormat.line(job.record, format: format)))
            }
            return
        }
        var text = ""
        text.reserveCapacity(jobs.count * 256)
        for job in jobs {
            if !text.isEmpty { text += "\n" }
            text += AccessLogFormat.line(job.record, format: format)
        }
        logger.log(level: .info, Logger.Message(stringLiteral: text))
    }
}

/// A file that cannot be opened for the access log.
public struct AccessLogError: Error, CustomStringConvertible {
    public let description: String
}
