/// One upstream MCP server from the `mcpServers` section.
public struct ServerConfig: Sendable, Equatable {
    /// The server's name: the key under `mcpServers`, made of `[A-Za-z0-9_.-]`.
    public var name: String
    /// How to reach the server: a child process on stdio, or a remote URL.
    public var transport: TransportConfig
    /// The prefix put in front of this server's tool and prompt names, or `nil` for no prefix.
    /// Defaults to ``name``.
    public var namespace: String?
    /// What goes between ``namespace`` and the original name, e.g. `"__"` in `time__get_time`.
    public var separator: String
    /// Whether the server starts with the proxy or on first use.
    public var startup: StartupMode
    /// `protocolEra`: probe the upstream's protocol era (the default), or fix it.
    public var protocolEra: ProtocolEraSetting = .auto
    /// Which tools are exposed (globs on the server's original tool names).
    public var tools: FilterConfig
    /// Which prompts are exposed (globs on the server's original prompt names).
    public var prompts: FilterConfig
    /// Which resources are exposed (globs on resource URIs).
    public var resources: FilterConfig
    /// TLS for a remote (https/wss) server: a custom CA and an optional client certificate.
    public var tls: TLSFileSettings?
    /// The `sandbox` section of a server started with a command; `nil` when there is none (the
    /// server still dies with the proxy). Always `nil` for remote servers.
    public var sandbox: SandboxConfig?

    /// `pool`: how many upstream sessions this server gets and how client sessions share them.
    public var pool: PoolSettings
    /// `health`: periodic pings; `nil` when the file says `health: false`. Default
    /// `HealthSettings()` (on).
    public var health: HealthSettings?
    /// `breaker`: the circuit breaker; `nil` when the file says `breaker: false`. Default
    /// `BreakerSettings()` (on).
    public var breaker: BreakerSettings?
    /// `retry`: how often a request that is safe to repeat is tried. Default `RetrySettings()`.
    public var retry: RetrySettings
    /// `timeoutSeconds`: how long a request to this server may wait for its answer, instead of
    /// `proxy.limits.requestTimeoutSeconds`; `nil` (the default) uses that.
    public var timeoutSeconds: Double?
    /// `toolTimeouts`: per-tool timeouts for `tools/call`, in file order; the first entry whose
    /// glob matches the tool's original name wins over ``timeoutSeconds``. Default none.
    public var toolTimeouts: [ToolTimeout]
    /// `maxConcurrent`: the most requests in flight to this server at once (over all its upstream
    /// sessions); `nil` (the default) is unlimited.
    public var maxConcurrent: Int?
    /// `maxQueued`: how many requests may wait for a free slot when ``maxConcurrent`` are in
    /// flight; more are refused at once. Default 256; 0 refuses at once. Unused without
    /// ``maxConcurrent``.
    public var maxQueued: Int
    /// `maxRSSMiB`: a child (of the server's command, or of a command replica) whose resident
    /// memory grows past this many MiB is restarted; 0 (the default) is no cap. Remote upstreams
    /// ignore it.
    public var maxRSSMiB: Int
    /// `replicas`: further copies of this server the pool may also use, each reached through its
    /// own transport; the entry's own ``transport`` comes first. Each may be a command or a URL,
    /// whatever the entry's own kind. Default none.
    public var replicas: [TransportConfig]
    /// `headers` whose values use the calling client's principal (`${principal.subject}`,
    /// `${principal.claims.NAME}`, `${principal.roles}`), rendered per client session; the fixed
    /// headers stay in ``transport``. Default none.
    public var principalHeaders: [String: HeaderTemplate] = [:]
    /// `auth.tokenExchange`: the upstream gets a token exchanged for the client's (RFC 8693);
    /// `nil` (the default): none.
    public var tokenExchange: TokenExchangeSettings?

    /// Whether the server gets per-user credentials (``principalHeaders`` or ``tokenExchange``):
    /// then its upstream sessions are never shared between two principals (`pool.mode` is
    /// `perSession`).
    public var hasUserCredentials: Bool { !principalHeaders.isEmpty || tokenExchange != nil }

    /// Creates a server configuration. Defaults match a file entry that only gives the transport.
    public init(
        name: String,
        transport: TransportConfig,
        namespace: String?,
        separator: String = ProxySettings.defaults.separator,
        startup: StartupMode = ProxySettings.defaults.startup,
        tools: FilterConfig = .all,
        prompts: FilterConfig = .all,
        resources: FilterConfig = .all,
        pool: PoolSettings = PoolSettings(),
        health: HealthSettings? = HealthSettings(),
        breaker: BreakerSettings? = BreakerSettings(),
        retry: RetrySettings = RetrySettings(),
        timeoutSeconds: Double? = nil,
        toolTimeouts: [ToolTimeout] = [],
        maxConcurrent: Int? = nil,
        maxQueued: Int = 256,
        maxRSSMiB: Int = 0,
        replicas: [TransportConfig] = []
    ) {
        self.name = name
        self.transport = transport
        self.namespace = namespace
        self.separator = separator
        self.startup = startup
        self.tools = tools
        self.prompts = prompts
        self.resources = resources
        self.pool = pool
        self.health = health
        self.breaker = breaker
        self.retry = retry
        self.timeoutSeconds = timeoutSeconds
        self.toolTimeouts = toolTimeouts
        self.maxConcurrent = maxConcurrent
        self.maxQueued = maxQueued
        self.maxRSSMiB = maxRSSMiB
        self.replicas = replicas
    }

    /// The entry's own transport followed by its ``replicas``: every endpoint the pool may use.
    public var endpoints: [TransportConfig] { [transport] + replicas }

    /// The name a client sees for the upstream item `original`: `namespace + separator + original`,
    /// or `original` unchanged when the server has no namespace.
    public func exposedName(for original: String) -> String {
        guard let namespace else { return original }
        return namespace + separator + original
    }
}
