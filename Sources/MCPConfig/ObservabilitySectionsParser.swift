/// Reads `proxy.metrics` and `proxy.accessLog` into ``ProxySettings``.
enum ObservabilitySectionsParser {
    static let topKeys = ["metrics", "accessLog"]
    static let metricsKeys = ["swiftMetrics", "exportIntervalSeconds"]
    static let accessLogKeys = ["enabled", "format", "destination", "include"]

    static let metricsHints = [
        "enabled": "write swiftMetrics: true (the admin listener's /metrics needs no setting)",
        "interval": "write it as exportIntervalSeconds",
        "intervalSeconds": "write it as exportIntervalSeconds",
        "exportInterval": "write it as exportIntervalSeconds, in seconds",
        "prometheus": "the admin listener (proxy.admin) serves Prometheus text at /metrics",
    ]
    static let accessLogHints = [
        "file": "write it as destination: <path>",
        "path": "write it as destination: <path>",
        "output": "write it as destination (stderr or a file path)",
        "level": "write it as include: all | errors",
        "requests": "write it as include: all | errors",
        "errorsOnly": "write it as include: errors",
    ]

    static func parse(_ mapping: ConfigNode.Mapping, path: KeyPath, into settings: inout ProxySettings, reader: inout ConfigReader) {
        if let value = reader.optional(mapping, "metrics") {
            settings.metrics = readMetrics(value, at: path.key("metrics"), reader: &reader)
        }
        if let value = reader.optional(mapping, "accessLog") {
            settings.accessLog = readAccessLog(value, at: path.key("accessLog"), reader: &reader)
        }
    }

    private static func readMetrics(_ node: ConfigNode, at path: KeyPath, reader: inout ConfigReader) -> MetricsSettings {
        var metrics = MetricsSettings()
        guard let mapping = reader.mapping(node, at: path, expected: "a mapping (swiftMetrics, exportIntervalSeconds)") else { return metrics }
        reader.checkKeys(mapping, at: path, known: metricsKeys, hints: metricsHints, what: "proxy.metrics")
        if let value = reader.optional(mapping, "swiftMetrics"), let flag = reader.bool(value, at: path.key("swiftMetrics")) {
            metrics.swiftMetrics = flag
        }
        if let value = reader.optional(mapping, "exportIntervalSeconds"),
           let seconds = reader.seconds(value, at: path.key("exportIntervalSeconds"), allowZero: false) {
            if seconds < 0.01 || seconds > 86_400 {
                reader.problem(path.key("exportIntervalSeconds"), "must be from 0.01 to 86400 seconds, found \(ConfigReader.formatted(seconds))", line: value.line)
            } else {
                metrics.exportIntervalSeconds = seconds
            }
        }
        return metrics
    }

    private static func readAccessLog(_ node: ConfigNode, at path: KeyPath, reader: inout ConfigReader) -> AccessLogSettings? {
        let mapping: ConfigNode.Mapping
        switch reader.toggle(node, at: path, expected: "a mapping (enabled, format, destination, include), or true / false") {
        case .on: return AccessLogSettings()
        case .off, .invalid: return nil
        case .section(let section): mapping = section
        }
        reader.checkKeys(mapping, at: path, known: accessLogKeys, hints: accessLogHints, what: "proxy.accessLog")
        var settings = AccessLogSettings()
        var enabled = true
        if let value = reader.optional(mapping, "enabled"), let flag = reader.bool(value, at: path.key("enabled")) {
            enabled = flag
        }
        if let value = reader.optional(mapping, "format"),
           let text = reader.choice(value, at: path.key("format"), allowed: AccessLogSettings.Format.allCases.map(\.rawValue)),
           let format = AccessLogSettings.Format(rawValue: text) {
            settings.format = format
        }
        if let value = reader.optional(mapping, "include"),
           let text = reader.choice(value, at: path.key("include"), allowed: AccessLogSettings.Include.allCases.map(\.rawValue)),
           let include = AccessLogSettings.Include(rawValue: text) {
            settings.include = include
        }
        if let value = reader.optional(mapping, "destination"),
           let text = reader.nonEmptyString(value, at: path.key("destination"), expected: "stderr or a file path") {
            switch text {
            case "stderr":
                settings.destination = .stderr
            case "stdout", "-":
                reader.problem(path.key("destination"), "stdout carries the MCP stream in stdio mode; write stderr, or a file path", line: value.line)
            default:
                settings.destination = .file(text)
            }
        }
        return enabled ? settings : nil
    }
}
