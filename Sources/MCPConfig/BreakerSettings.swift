/// `mcpServers.<name>.breaker`: a circuit breaker that stops sending requests to an upstream that
/// keeps failing, and lets one through after a pause to see whether it recovered.
/// ``ServerConfig/breaker`` is `nil` when the file says `breaker: false`.
public struct BreakerSettings: Sendable, Equatable {
    /// `failureThreshold`: failures in a row that open the breaker. At least 1; default 5.
    public var failureThreshold: Int
    /// `openSeconds`: how long the breaker stays open (requests fail at once) before a trial
    /// request is let through. Greater than 0; default 10.
    public var openSeconds: Double
    /// `countErrors`: whether a JSON-RPC error response (or a tool result with `isError`) counts
    /// as a failure. Default `false`: only timeouts and an upstream that cannot be reached count;
    /// a broken tool is not a broken server.
    public var countErrors: Bool

    /// Creates breaker settings; the defaults are those of a server without a `breaker` key.
    public init(failureThreshold: Int = 5, openSeconds: Double = 10, countErrors: Bool = false) {
        self.failureThreshold = failureThreshold
        self.openSeconds = openSeconds
        self.countErrors = countErrors
    }
}
