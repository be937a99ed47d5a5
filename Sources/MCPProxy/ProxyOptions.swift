import JSONRPC
import MCPRouting

/// Everything about the proxy's behaviour that is not an upstream.
public struct ProxyOptions: Sendable {
    /// `serverInfo.name` shown to clients.
    public var serverName: String
    /// `serverInfo.version` shown to clients.
    public var serverVersion: String
    /// Instructions placed before the upstreams' own in the merged `instructions`.
    public var instructions: String?
    /// Size and depth limits for every message read, from either side.
    public var scanLimits: ScanLimits
    /// How long a forwarded request may wait for its upstream before the client gets -32001.
    public var requestTimeout: Duration
    /// How long an upstream may take to start and answer `initialize`.
    public var initializeTimeout: Duration
    /// What happens when two upstreams expose the same name.
    public var collisionPolicy: CollisionPolicy
    /// Longest exposed tool or prompt name.
    public var maxNameLength: Int
    /// Rewrite resource URIs to `<upstream>+<uri>` so two upstreams may expose the same URI.
    public var rewriteResourceURIs: Bool
    /// Items per page of a merged list; 0 puts everything on one page.
    public var pageSize: Int
    /// Allow, deny and route rules, first match wins; nil means no rules.
    public var routes: RouteTable?
    /// Protocol versions offered to clients (handshake era).
    public var supportedVersions: [ProtocolVersion]
    /// Longest a client may wait after disconnecting for in-flight answers before upstreams stop.
    public var drainTimeout: Duration
    /// Restart an upstream that stopped unexpectedly (with exponential backoff), re-initialize it,
    /// re-apply the log level and subscriptions, and tell the client its lists changed.
    public var restartUpstreams: Bool
    /// First restart delay; doubled after each failed attempt up to `maxRestartDelay`.
    public var restartDelay: Duration
    /// Longest delay between restart attempts.
    public var maxRestartDelay: Duration
    /// What happens to an unavailable upstream's tools, prompts and resources in merged lists.
    public var failOpen: FailOpen
    /// Longest a new client session waits for shared upstreams that are still starting for the
    /// first time, so that its `initialize` answer includes them; it never waits on one that failed.
    public var warmupWait: Duration
    /// `proxy.serverRequests`: which upstreams may ask clients for sampling, elicitation and
    /// roots, the `maxTokens` cap of sampling, and how often per client session. None (the
    /// default) changes nothing.
    public var serverRequests = ServerRequestRules()
    /// An asynchronous admission step run just before a request is forwarded (an external
    /// policy hook, a rate limit shared by replicas; several are one ``CallGateChain``), and
    /// before requests the proxy answers itself when the gate asks for them; nil (the default):
    /// requests are forwarded at once.
    public var callGate: (any AsyncCallGate)? = nil
    /// A check on results before they reach the client (size limits, redaction, a policy hook's
    /// response phase); nil (the default): answers are relayed unchanged.
    public var resultGuard: (any ResultGuard)? = nil
    /// `proxy.pinning`: compares the tools upstreams list with their approved fingerprints where
    /// lists are fetched; nil (the default): nothing is fingerprinted.
    public var toolPinning: ToolPinning? = nil
    /// Request ids the proxy sends clients (sampling, elicitation, roots) start after this
    /// number. Replicas that share sessions use distinct bases (``MCPTransports/ReplicaTag``) so
    /// their ids never collide in a session and a client's answer names the replica that asked.
    /// 0 (the default): ids start at 1.
    public var serverRequestIDBase: Int64 = 0

    /// What clients see of an upstream that is unavailable (breaker open, cannot start).
    public enum FailOpen: String, Sendable, Equatable {
        /// Its items leave the lists (clients get `list_changed`) and come back when it recovers.
        case hide
        /// Its items stay; calls to them fail at once with an error that names the upstream.
        case keep
    }

    /// Creates options with production defaults.
    public init(
        serverName: String = "mcp-proxy",
        serverVersion: String = MCPProxyVersion.current,
        instructions: String? = nil,
        scanLimits: ScanLimits = .default,
        requestTimeout: Duration = .seconds(300),
        initializeTimeout: Duration = .seconds(30),
        collisionPolicy: CollisionPolicy = .firstWins,
        maxNameLength: Int = 64,
        rewriteResourceURIs: Bool = false,
        pageSize: Int = 0,
        routes: RouteTable? = nil,
        supportedVersions: [ProtocolVersion] = ProtocolVersion.handshakeEra,
        drainTimeout: Duration = .seconds(5),
        restartUpstreams: Bool = true,
        restartDelay: Duration = .milliseconds(500),
        maxRestartDelay: Duration = .seconds(30),
        failOpen: FailOpen = .hide,
        warmupWait: Duration = .seconds(5)
    ) {
        self.serverName = serverName
        self.serverVersion = serverVersion
        self.instructions = instructions
        self.scanLimits = scanLimits
        self.requestTimeout = requestTimeout
        self.initializeTimeout = initializeTimeout
        self.collisionPolicy = collisionPolicy
        self.maxNameLength = maxNameLength
        self.rewriteResourceURIs = rewriteResourceURIs
        self.pageSize = pageSize
        self.routes = routes
        self.supportedVersions = supportedVersions
        self.drainTimeout = drainTimeout
        self.restartUpstreams = restartUpstreams
        self.restartDelay = restartDelay
        self.maxRestartDelay = maxRestartDelay
        self.failOpen = failOpen
        self.warmupWait = warmupWait
    }
}

/// The proxy's own version string.
public enum MCPProxyVersion {
    /// The version of this build.
    public static let current = "0.1.0"
}
