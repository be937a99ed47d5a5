import Logging
import NIOConcurrencyHelpers

/// Logs go to stderr: stdout belongs to the MCP stream. swift-log's system is bootstrapped once
/// per process; the first call wins.
public enum LoggingBootstrap {
    private static let done = NIOLockedValueBox(false)

    /// Sends every logger's output to stderr at `level`, unless already done.
    public static func once(level: Logger.Level) {
        let first = done.withLockedValue { done -> Bool in
            defer { done = true }
            return !done
        }
        guard first else { return }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}
