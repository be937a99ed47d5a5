/// One configured rate limit: what it counts, how fast it refills, and whom it applies to.
///
/// An entry counts every request except `initialize`, `ping` and notifications, unless
/// ``methods`` narrows it. ``roles`` restricts it to principals with one of them; ``tools``
/// restricts it to `tools/call` of matching tools. A `principal+tool` entry counts only
/// `tools/call` (one bucket per principal and tool); an `upstream` entry counts only routed
/// requests (one bucket per upstream, shared by all principals).
public struct RateLimitEntry: Sendable, Hashable, CustomStringConvertible {
    /// What one bucket is shared by.
    public enum Scope: String, Sendable, Hashable {
        /// One bucket per principal.
        case principal
        /// One bucket per principal and tool.
        case principalAndTool = "principal+tool"
        /// One bucket per upstream.
        case upstream
    }

    /// What one bucket is shared by.
    public var per: Scope
    /// Tokens per second.
    public var rate: Double
    /// The bucket size.
    public var burst: Int
    /// Roles the entry applies to (any); nil for every principal.
    public var roles: [String]?
    /// Tool-name globs the entry applies to; nil for every request.
    public var tools: [String]?
    /// Method-name globs the entry counts; nil for every request but `initialize`, `ping` and notifications.
    public var methods: [String]?

    /// Creates an entry.
    public init(per: Scope, rate: Double, burst: Int, roles: [String]? = nil, tools: [String]? = nil, methods: [String]? = nil) {
        self.per = per
        self.rate = rate
        self.burst = burst
        self.roles = roles
        self.tools = tools
        self.methods = methods
    }

    /// A short description, e.g. `per principal+tool 2/s burst 5 (tools *__search*)`.
    public var description: String {
        var text = "per \(per.rawValue) \(TokenBucketLimit(rate: rate, burst: burst))"
        var filters: [String] = []
        if let roles { filters.append("roles " + roles.joined(separator: ",")) }
        if let tools { filters.append("tools " + tools.joined(separator: ",")) }
        if let methods { filters.append("methods " + methods.joined(separator: ",")) }
        if !filters.isEmpty { text += " (" + filters.joined(separator: "; ") + ")" }
        return text
    }
}
