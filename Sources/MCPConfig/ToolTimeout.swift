/// One entry of `mcpServers.<name>.toolTimeouts`: a glob on the server's original tool names and
/// how long a `tools/call` of a matching tool may take. Entries keep the file's order; the first
/// whose pattern matches a tool wins, and a tool no entry matches gets the server's
/// ``ServerConfig/timeoutSeconds`` (or `proxy.limits.requestTimeoutSeconds`).
public struct ToolTimeout: Sendable, Equatable {
    /// The glob (`*`, `?`, `[...]`, `[!...]`, `\` escapes), checked for syntax like tool filters.
    /// Matching belongs to MCPRouting.
    public var pattern: String
    /// Seconds a matching call may take. Greater than 0.
    public var seconds: Double

    /// Creates an entry.
    public init(pattern: String, seconds: Double) {
        self.pattern = pattern
        self.seconds = seconds
    }
}
