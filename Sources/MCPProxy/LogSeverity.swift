/// MCP log levels (RFC 5424 severities), least severe first.
enum LogSeverity: Int, Sendable, Comparable {
    case debug, info, notice, warning, error, critical, alert, emergency

    /// The level named `name` ("debug" … "emergency"); nil for anything else.
    init?(name: String) {
        switch name {
        case "debug": self = .debug
        case "info": self = .info
        case "notice": self = .notice
        case "warning": self = .warning
        case "error": self = .error
        case "critical": self = .critical
        case "alert": self = .alert
        case "emergency": self = .emergency
        default: return nil
        }
    }

    static func < (lhs: LogSeverity, rhs: LogSeverity) -> Bool { lhs.rawValue < rhs.rawValue }
}
