/// A loaded and validated proxy configuration: the upstream servers to front and the proxy's own
/// settings.
///
/// Produced by ``ConfigLoader``. Every value has been type-checked, range-checked and had its
/// `${VAR}` references expanded, so the executable can map it onto the proxy without further checks.
public struct ProxyConfig: Sendable, Equatable {
    /// The enabled upstream servers, in the order the file lists them. Servers marked
    /// `disabled: true` are left out (and mentioned in ``warnings``).
    public var servers: [ServerConfig]
    /// The `proxy:` section, with defaults for everything the file leaves out.
    public var proxy: ProxySettings
    /// Non-fatal notes, one line each, formatted like ``ConfigProblem/description``: ignored keys,
    /// disabled servers, settings that have no effect.
    public var warnings: [String]
    /// The file the configuration came from, or `nil` when it was loaded from text.
    public var sourcePath: String?

    /// Creates a configuration from already validated parts.
    public init(servers: [ServerConfig], proxy: ProxySettings = .defaults, warnings: [String] = [], sourcePath: String? = nil) {
        self.servers = servers
        self.proxy = proxy
        self.warnings = warnings
        self.sourcePath = sourcePath
    }

    /// The enabled server called `name`, if there is one.
    public func server(named name: String) -> ServerConfig? {
        servers.first { $0.name == name }
    }
}
