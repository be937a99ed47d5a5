/// `mcpServers.<name>.health`: periodic `ping` requests that find an upstream that no longer
/// answers. ``ServerConfig/health`` is `nil` when the file says `health: false`.
public struct HealthSettings: Sendable, Equatable {
    /// `intervalSeconds`: time between two pings of an upstream session. Greater than 0; default 30.
    public var intervalSeconds: Double
    /// `timeoutSeconds`: how long a ping may wait for its answer before the upstream session
    /// counts as unhealthy. Greater than 0 and less than ``intervalSeconds``; default 5.
    public var timeoutSeconds: Double

    /// Creates health-check settings; the defaults are those of a server without a `health` key.
    public init(intervalSeconds: Double = 30, timeoutSeconds: Double = 5) {
        self.intervalSeconds = intervalSeconds
        self.timeoutSeconds = timeoutSeconds
    }
}
