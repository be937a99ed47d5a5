import MCPRouting

/// A virtual endpoint: a view of the aggregated proxy's catalog served at a path of its own
/// (`proxy.endpoints`). It shares the proxy's upstreams and their sessions; only what its
/// clients see differs: the servers behind it, which tools, prompts and resources pass its
/// filters, renamed tools and their descriptions, its instructions, who may use it, and whether
/// tools are listed or searched.
///
/// Names in its filters and renames are the names as exposed at the proxy's main path (`/mcp`),
/// so authorization rules, which match those names, apply unchanged behind any endpoint.
public struct EndpointView: Sendable {
    /// How an endpoint presents its tools.
    public enum Discovery: String, Sendable {
        /// `tools/list` lists every tool the principal may see.
        case list
        /// `tools/list` lists `search_tools` and `call_tool` only.
        case search
    }

    /// The path it is served at, e.g. `/mcp/support`.
    public var path: String
    /// The upstreams behind it, by name; nil means all of them.
    public var servers: Set<String>?
    /// Which tools pass, by their names at `/mcp`.
    public var tools: NameFilter
    /// Which prompts pass, by their names at `/mcp`.
    public var prompts: NameFilter
    /// Which resources and resource templates pass, by their URIs at `/mcp`.
    public var resources: NameFilter
    /// Name at `/mcp` -> name at this endpoint.
    public var rename: [String: String]
    /// Name at this endpoint -> the description its clients see.
    public var describe: [String: String]
    /// The `instructions` of its `initialize` result; nil uses the proxy's.
    public var instructions: String?
    /// Principals need at least one of these roles; empty lets anyone authenticated in.
    public var roles: [String]
    /// Whether tools are listed or searched.
    public var discovery: Discovery
    /// Tools and prompts carry the names their upstream gives them (no namespace), as when that
    /// upstream is served alone (`proxy.listen.namedServers`); `rename` is then not used.
    public var originalNames: Bool

    /// Creates a view; every parameter defaults to "everything, unchanged".
    public init(
        path: String,
        servers: Set<String>? = nil,
        tools: NameFilter = .permitAll,
        prompts: NameFilter = .permitAll,
        resources: NameFilter = .permitAll,
        rename: [String: String] = [:],
        describe: [String: String] = [:],
        instructions: String? = nil,
        roles: [String] = [],
        discovery: Discovery = .list,
        originalNames: Bool = false
    ) {
        self.path = path
        self.servers = servers
        self.tools = tools
        self.prompts = prompts
        self.resources = resources
        self.rename = rename
        self.describe = describe
        self.instructions = instructions
        self.roles = roles
        self.discovery = discovery
        self.originalNames = originalNames
    }

    /// Whether the upstream named `server` is behind this endpoint.
    @inlinable
    public func serves(_ server: String) -> Bool {
        servers?.contains(server) ?? true
    }
}
