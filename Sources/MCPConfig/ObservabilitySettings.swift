/// `proxy.metrics`: where the statistics go besides the admin listener's `/metrics` and `/stats`
/// (which always work, with nothing configured).
public struct MetricsSettings: Sendable, Equatable {
    /// `swiftMetrics`: report every series into the swift-metrics backend the process
    /// bootstrapped (an embedder's `MetricsSystem.bootstrap(...)`). Default `false`. The
    /// `mcp-proxy` executable bootstraps none, so there it has no effect.
    public var swiftMetrics: Bool
    /// `exportIntervalSeconds`: time between two exports into swift-metrics. Greater than 0
    /// (at least 0.01); default 5.
    public var exportIntervalSeconds: Double

    /// Creates settings; the defaults are those of a file without `proxy.metrics`.
    public init(swiftMetrics: Bool = false, exportIntervalSeconds: Double = 5) {
        self.swiftMetrics = swiftMetrics
        self.exportIntervalSeconds = exportIntervalSeconds
    }
}

/// `proxy.accessLog`: one line per client request. ``ProxySettings/accessLog`` is `nil` when the
/// file has no `accessLog` section, says `accessLog: false` or `enabled: false`.
public struct AccessLogSettings: Sendable, Equatable {
    /// How a line is written.
    public enum Format: String, Sendable, Equatable, CaseIterable {
        /// `key=value` pairs separated by spaces (logfmt); values with spaces or quotes quoted.
        case text
        /// One JSON object per line.
        case json
    }

    /// Where lines go.
    public enum Destination: Sendable, Equatable {
        /// The proxy's log on stderr (through swift-log, label `mcp-proxy.access`).
        case stderr
        /// Appended to this file (created if missing).
        case file(String)
    }

    /// Which requests get a line.
    public enum Include: String, Sendable, Equatable, CaseIterable {
        /// Every request that reaches the request pipeline.
        case all
        /// Only those that did not succeed: errors, timeouts, cancellations, unavailable
        /// upstreams, refusals.
        case errors
    }

    /// `format`: `text` (default) or `json`.
    public var format: Format
    /// `destination`: `stderr` (default) or a file path.
    public var destination: Destination
    /// `include`: `all` (default) or `errors`.
    public var include: Include

    /// Creates settings; the defaults are those of `accessLog: true`.
    public init(format: Format = .text, destination: Destination = .stderr, include: Include = .all) {
        self.format = format
        self.destination = destination
        self.include = include
    }
}
