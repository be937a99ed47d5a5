/// Point-in-time copy of one ``RequestSeries``.
public struct RequestSeriesSnapshot: Sendable, Codable, Equatable {
    /// Name of the upstream.
    public var upstream: String
    /// JSON-RPC method.
    public var method: String
    /// Tool name, `nil` when the method is not `tools/call`.
    public var tool: String?
    /// All recorded requests, whatever their outcome.
    public var count: Int
    /// Requests answered with a JSON-RPC error (broken down in ``errorCodes``).
    public var errors: Int
    /// Requests that timed out.
    public var timeouts: Int
    /// Requests cancelled by the client.
    public var cancelled: Int
    /// Requests whose upstream was unavailable.
    public var unavailable: Int
    /// Error count by JSON-RPC error code, the code in decimal: `["-32602": 3]`.
    public var errorCodes: [String: Int]
    /// Latency distribution of all recorded requests.
    public var latency: LatencySummary

    /// Requests that succeeded: `count` minus every other outcome.
    public var successes: Int {
        count - errors - timeouts - cancelled - unavailable
    }

    /// Creates a snapshot from its parts.
    public init(
        upstream: String,
        method: String,
        tool: String?,
        count: Int = 0,
        errors: Int = 0,
        timeouts: Int = 0,
        cancelled: Int = 0,
        unavailable: Int = 0,
        errorCodes: [String: Int] = [:],
        latency: LatencySummary = LatencySummary()
    ) {
        self.upstream = upstream
        self.method = method
        self.tool = tool
        self.count = count
        self.errors = errors
        self.timeouts = timeouts
        self.cancelled = cancelled
        self.unavailable = unavailable
        self.errorCodes = errorCodes
        self.latency = latency
    }

    init(series: RequestSeries, state: SeriesState) {
        var codes: [String: Int] = [:]
        codes.reserveCapacity(state.errorCodes.count)
        for (code, count) in state.errorCodes {
            codes[String(code)] = count
        }
        self.init(
            upstream: series.upstream,
            method: series.method,
            tool: series.tool,
            count: state.count,
            errors: state.errors,
            timeouts: state.timeouts,
            cancelled: state.cancelled,
            unavailable: state.unavailable,
            errorCodes: codes,
            latency: state.latencySummary()
        )
    }
}
