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

    /// Creates a server configuration. Defaults match a file entry that only gives the transport.
    public init(
        name: String,
        transport: TransportConfig,
        namespace: String?,
        separator: String = ProxySettings.defaults.separator,
        startup: StartupMode = ProxySettings.defaults.startup,
        tools: FilterConfig = .all,
        prompts: FilterConfig = .all,
        resources: FilterConfig = .all
    ) {
        self.name = name
        self.transport = transport
        self.namespace = namespace
        self.separator = separator
        self.startup = startup
        self.tools = tools
        self.prompts = prompts
        self.resources = resources
    }

    /// The name a client sees for the upstream item `original`: `namespace + separator + original`,
    /// or `original` unchanged when the server has no namespace.
    public func exposedName(for original: String) -> String {
        guard let namespace else { return original }
        return namespace + separator + original
    }
}
