import JSONRPC
import Logging
import MCPRouting
import MCPTransports

/// When an upstream is started and initialized.
public enum UpstreamStartup: String, Sendable, Equatable {
    /// Spawned when the proxy starts; initialized as soon as the client's capabilities are known
    /// (its `initialize`), so the first answer already merges this upstream.
    case eager
    /// Started on first use: the first list or call that needs it.
    case lazy
}

/// One upstream MCP server as the proxy should reach it.
public struct UpstreamDefinition: Sendable {
    /// Unique name; used in namespaced names, logs, stats and errors.
    public var name: String
    /// How exposed tool and prompt names are formed.
    public var namespace: NamespaceStyle
    /// Which of its tools (by original name) are exposed.
    public var toolFilter: NameFilter
    /// Which of its prompts (by original name) are exposed.
    public var promptFilter: NameFilter
    /// Which of its resources and templates (by URI) are exposed.
    public var resourceFilter: NameFilter
    /// When to start it.
    public var startup: UpstreamStartup
    /// How the proxy finds the upstream's protocol era (``UpstreamEra``). Default `.handshake`;
    /// the gateway probes its stdio upstreams (`protocolEra: auto`).
    public var era: UpstreamEra = .handshake
    /// With ``UpstreamEra/probe(probeTimeout:)``: a verdict shared by all connections (the
    /// gateway sets one for Streamable HTTP upstreams). Nil: every connection probes.
    public var eraMemo: UpstreamEraMemo?
    /// Makes a fresh transport each time the upstream is (re)started.
    public var makeTransport: @Sendable () -> any MessageTransport
    /// Further replicas of the same server, tried in order when the ones before them fail
    /// (their circuit breaker is open or they cannot start); each makes its own transports.
    public var replicas: [@Sendable () -> any MessageTransport]
    /// Pooling, health, breaker, retries, timeouts and bulkhead of this upstream.
    public var policy: UpstreamPolicy
    /// Per-user credentials: makes the transport of one client session's upstream session from
    /// that session's principal (read for every request), instead of ``makeTransport``. Needs
    /// `policy.mode == .perSession`, so that an upstream session never serves two principals.
    /// Nil (the default): every session uses ``makeTransport``.
    public var makePrincipalTransport: (@Sendable (_ principal: @escaping @Sendable () -> Principal?) -> any MessageTransport)?

    /// Creates a definition from a transport factory. The default namespace is `<name>__`.
    public init(
        name: String,
        namespace: NamespaceStyle? = nil,
        toolFilter: NameFilter = .permitAll,
        promptFilter: NameFilter = .permitAll,
        resourceFilter: NameFilter = .permitAll,
        startup: UpstreamStartup = .eager,
        policy: UpstreamPolicy = UpstreamPolicy(),
        replicas: [@Sendable () -> any MessageTransport] = [],
        makeTransport: @escaping @Sendable () -> any MessageTransport
    ) {
        self.name = name
        self.namespace = namespace ?? .prefix(name, separator: "__")
        self.toolFilter = toolFilter
        self.promptFilter = promptFilter
        self.resourceFilter = resourceFilter
        self.startup = startup
        self.makeTransport = makeTransport
        self.replicas = replicas
        self.policy = policy
    }

    /// Every way to reach it: the primary first, then the replicas.
    var transportFactories: [@Sendable () -> any MessageTransport] { [makeTransport] + replicas }

    /// An upstream run as a child process over stdio.
    public static func stdio(
        name: String,
        configuration: StdioProcessConfiguration,
        namespace: NamespaceStyle? = nil,
        startup: UpstreamStartup = .eager,
        policy: UpstreamPolicy = UpstreamPolicy(),
        logger: Logger
    ) -> UpstreamDefinition {
        UpstreamDefinition(name: name, namespace: namespace, startup: startup, policy: policy) {
            StdioProcessTransport(name: name, configuration: configuration, logger: logger)
        }
    }
}
