/// One entry of `proxy.rateLimits`: a token bucket kept per principal, per principal and tool,
/// or per upstream, optionally narrowed to some tools, roles and methods.
///
/// Every request counts except `initialize`, `ping` and notifications, unless ``methods``
/// narrows the entry.
public struct RateLimitSetting: Sendable, Equatable {
    /// `per`: what a bucket is kept for.
    public var per: RateLimitScope
    /// `rate`: tokens added per second; greater than 0, fractions allowed.
    public var rate: Double
    /// `burst`: the bucket size, at least 1. Default: `rate` rounded up (at least 1).
    public var burst: Int
    /// `tools`: globs on exposed tool names; only `tools/call` of a matching tool counts. `nil`
    /// when not narrowed.
    public var tools: [String]?
    /// `roles`: only principals with one of these roles are limited. `nil` when not narrowed.
    public var roles: [String]?
    /// `methods`: globs on JSON-RPC methods that count (replacing the default set). `nil` when
    /// not narrowed.
    public var methods: [String]?

    /// Creates an entry.
    public init(per: RateLimitScope, rate: Double, burst: Int, tools: [String]? = nil, roles: [String]? = nil, methods: [String]? = nil) {
        self.per = per
        self.rate = rate
        self.burst = burst
        self.tools = tools
        self.roles = roles
        self.methods = methods
    }
}

/// What a rate-limit bucket is kept for (`per:`).
public enum RateLimitScope: String, Sendable, Equatable, CaseIterable {
    /// `principal`: one bucket per principal.
    case principal
    /// `principal+tool`: one bucket per principal and tool.
    case principalAndTool = "principal+tool"
    /// `upstream`: one bucket per upstream server, shared by all principals.
    case upstream
}
