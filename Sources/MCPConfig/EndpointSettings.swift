/// One `proxy.endpoints` entry: a virtual endpoint, a curated view of the aggregated catalog
/// served at a path of its own.
///
/// Names in `tools`, `prompts`, `resources` and the keys of `rename` are the names (and URIs) as
/// exposed at the main path (`/mcp`); `rename` values and `describe` keys are names at this
/// endpoint.
public struct EndpointSettings: Sendable, Equatable {
    /// How an endpoint presents its tools (`discovery`).
    public enum Discovery: String, Sendable, Equatable, CaseIterable {
        /// `tools/list` lists every tool the principal may see (default).
        case list
        /// `tools/list` lists `search_tools` and `call_tool` only.
        case search
    }

    /// `path`: where it is served, e.g. `/mcp/support` (starts with `/`).
    public var path: String
    /// `servers`: the upstreams behind it, by name; nil (default) means all.
    public var servers: [String]?
    /// `tools`: allow/deny globs on tool names as exposed at `/mcp`.
    public var tools: FilterConfig
    /// `prompts`: allow/deny globs on prompt names as exposed at `/mcp`.
    public var prompts: FilterConfig
    /// `resources`: allow/deny globs on resource URIs (and templates) as exposed at `/mcp`.
    public var resources: FilterConfig
    /// `rename`: tool or prompt name at `/mcp` -> its name at this endpoint.
    public var rename: [String: String]
    /// `describe`: name at this endpoint -> the description its clients see.
    public var describe: [String: String]
    /// `instructions`: the `instructions` of this endpoint's `initialize` result; nil uses the proxy's.
    public var instructions: String?
    /// `roles`: a principal needs at least one of them (HTTP 403 otherwise); empty (default)
    /// admits anyone authenticated.
    public var roles: [String]
    /// `discovery`: `list` (default) or `search`.
    public var discovery: Discovery

    /// Creates a setting; everything but the path defaults to "all, unchanged".
    public init(
        path: String, servers: [String]? = nil, tools: FilterConfig = .all, prompts: FilterConfig = .all,
        resources: FilterConfig = .all, rename: [String: String] = [:], describe: [String: String] = [:],
        instructions: String? = nil, roles: [String] = [], discovery: Discovery = .list
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
    }
}
