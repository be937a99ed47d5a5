/// The `proxy:` section: how the proxy presents itself and the limits it enforces.
/// Every field has a default (``defaults``), so the section may be left out entirely.
public struct ProxySettings: Sendable, Equatable {
    /// `proxy.name`: the `serverInfo.name` clients see. Default `"mcp-proxy"`.
    public var name: String
    /// `proxy.version`: the `serverInfo.version` clients see. Default `"0.1.0"`.
    public var version: String
    /// `proxy.instructions`: text put before the upstreams' merged instructions, or `nil`.
    public var instructions: String?

    /// `proxy.namespacing.separator`: the default separator between namespace and name. Default `"__"`.
    public var separator: String
    /// `proxy.namespacing.collision`: `"first-wins"` (default) or `"suffix"`.
    public var collision: String
    /// `proxy.namespacing.maxNameLength`: the longest exposed tool or prompt name. Default 64.
    public var maxNameLength: Int
    /// `proxy.namespacing.rewriteResourceURIs`: whether resource URIs are rewritten into a proxy
    /// namespace. Default `false`.
    public var rewriteResourceURIs: Bool

    /// `proxy.routes`: request rules, first match wins. Default none.
    public var routes: [RouteConfig]

    /// `proxy.limits.maxMessageBytes`: the largest JSON-RPC message accepted. Default 16 MiB.
    public var maxMessageBytes: Int
    /// `proxy.limits.maxNestingDepth`: the deepest JSON nesting accepted. Default 64.
    public var maxNestingDepth: Int
    /// `proxy.limits.maxLineBytes`: the longest stdio line accepted. Default 16 MiB.
    public var maxLineBytes: Int
    /// `proxy.limits.requestTimeoutSeconds`: how long a request may wait for its upstream. Default 300.
    public var requestTimeoutSeconds: Double

    /// `proxy.upstreams.startup`: the default ``StartupMode`` of servers. Default `.eager`.
    public var startup: StartupMode
    /// `proxy.upstreams.initializeTimeoutSeconds`: how long an upstream may take to answer
    /// `initialize`. Default 30.
    public var initializeTimeoutSeconds: Double
    /// `proxy.upstreams.shutdownGraceSeconds`: how long an upstream gets to exit before it is
    /// killed. Default 5.
    public var shutdownGraceSeconds: Double
    /// `proxy.upstreams.restart`: whether a per-session upstream that exits is started again
    /// (shared upstreams always are: their pool keeps its size). Default `true`.
    public var restartUpstreams: Bool
    /// `proxy.upstreams.failOpen`: what clients see of an upstream that is unavailable. Default
    /// ``FailOpenPolicy/hide``.
    public var failOpen: FailOpenPolicy = .hide

    /// `proxy.pagination.pageSize`: items per page of merged lists; 0 (default) sends everything
    /// in one page.
    public var pageSize: Int

    /// `proxy.logging.level`: one of ``logLevels``. Default `"info"`.
    public var logLevel: String

    /// `proxy.stats.dumpOnExit`: whether statistics are written to stderr at exit. Default `false`.
    public var dumpStatsOnExit: Bool
    /// The network fronts (`proxy.listen`); defaults apply when absent.
    public var listen: ListenSettings = ListenSettings()
    /// The admin listener (`proxy.admin`); nil when not configured.
    public var admin: AdminSettings?

    /// `proxy.limits.maxSessions`: the most client sessions open at once over all network
    /// fronts; past it a new session is refused with a clear error. Default 10000.
    public var maxSessions: Int = 10_000
    /// `proxy.limits.maxSessionsPerPrincipal`: the most sessions one authenticated principal may
    /// hold at once. Default 100. Anonymous callers are bounded by `maxSessions` and
    /// `proxy.listen.maxConnectionsPerAddress` instead.
    public var maxSessionsPerPrincipal: Int = 100

    /// `proxy.auth`: authentication; `nil` when the file has no `auth` section (no
    /// authentication, and the default pre-authentication limit).
    public var auth: AuthSettings?
    /// `proxy.authorization`: what principals may do; `nil` when not configured (everything allowed).
    public var authorization: AuthorizationSettings?
    /// `proxy.rateLimits`: token buckets, in file order. Default none.
    public var rateLimits: [RateLimitSetting] = []

    /// `proxy.metrics`: the swift-metrics export. Default off.
    public var metrics = MetricsSettings()
    /// `proxy.accessLog`: one line per request; `nil` (default) when off.
    public var accessLog: AccessLogSettings?
    /// `proxy.tracing`: OTLP export of request spans; `nil` (default) when off.
    public var tracing: TracingSettings?

    /// `proxy.endpoints`: virtual endpoints, each with its own catalog; empty (default) serves
    /// only the listen paths.
    public var endpoints: [EndpointSettings] = []
    /// `proxy.pinning`: tool-definition pinning; `nil` (default) when off.
    public var pinning: PinningSettings?
    /// `proxy.serverRequests`: rules for server-initiated requests, first match wins; empty
    /// (default) allows everything.
    public var serverRequests: [ServerRequestRule] = []
    /// `proxy.policyHook`: the external policy hook; `nil` (default) when off.
    public var policyHook: PolicyHookSettings?
    /// `proxy.guards`: result guards; `nil` (default) when off.
    public var guards: GuardSettings?
    /// `proxy.cluster`: sealed session ids and the Redis the replicas share; `nil` (default)
    /// keeps sessions in this process's memory.
    public var cluster: ClusterSettings?

    /// The values `collision` may take.
    public static let collisionPolicies = ["first-wins", "suffix"]
    /// The values `logLevel` may take, from most to least verbose.
    public static let logLevels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]

    /// Creates settings; every parameter defaults to the documented default.
    public init(
        name: String = "mcp-proxy",
        version: String = "0.1.0",
        instructions: String? = nil,
        separator: String = "__",
        collision: String = "first-wins",
        maxNameLength: Int = 64,
        rewriteResourceURIs: Bool = false,
        routes: [RouteConfig] = [],
        maxMessageBytes: Int = 16_777_216,
        maxNestingDepth: Int = 64,
        maxLineBytes: Int = 16_777_216,
        requestTimeoutSeconds: Double = 300,
        startup: StartupMode = .eager,
        initializeTimeoutSeconds: Double = 30,
        shutdownGraceSeconds: Double = 5,
        restartUpstreams: Bool = true,
        pageSize: Int = 0,
        logLevel: String = "info",
        dumpStatsOnExit: Bool = false
    ) {
        self.name = name
        self.version = version
        self.instructions = instructions
        self.separator = separator
        self.collision = collision
        self.maxNameLength = maxNameLength
        self.rewriteResourceURIs = rewriteResourceURIs
        self.routes = routes
        self.maxMessageBytes = maxMessageBytes
        self.maxNestingDepth = maxNestingDepth
        self.maxLineBytes = maxLineBytes
        self.requestTimeoutSeconds = requestTimeoutSeconds
        self.startup = startup
        self.initializeTimeoutSeconds = initializeTimeoutSeconds
        self.shutdownGraceSeconds = shutdownGraceSeconds
        self.restartUpstreams = restartUpstreams
        self.pageSize = pageSize
        self.logLevel = logLevel
        self.dumpStatsOnExit = dumpStatsOnExit
    }

    /// The settings used when the file has no `proxy:` section.
    public static let defaults = ProxySettings()
}
