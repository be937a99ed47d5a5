import Logging
import NIOConcurrencyHelpers

/// Logs go to stderr: stdout belongs to the MCP stream.
enum LoggingBootstrap {
    private static let done = NIOLockedValueBox(false)

    static func once(level: Logger.Level) {
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
