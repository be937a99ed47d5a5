/// How a server started with a command is confined (`mcpServers.<name>.sandbox`).
///
/// Its `workingDirectory` key sets the server's working directory (the same setting as `cwd`), so
/// it lives in ``TransportConfig/stdio(command:arguments:environment:inheritEnvironment:workingDirectory:)``,
/// not here. Without a `sandbox` section a server still dies with the proxy.
public struct SandboxConfig: Sendable, Equatable {
    /// `envAllow`: globs (`*`, `?`) on variable names; only matching variables of the inherited
    /// environment reach the server (its own `env` entries always do). `nil`: no filtering.
    public var envAllow: [String]?
    /// `limits`: resource limits set in the child before it starts.
    public var limits: SandboxLimits
    /// `dieWithProxy`: the server is killed when the proxy dies, even by SIGKILL. Default true.
    public var dieWithProxy: Bool
    /// `noNewPrivileges`: the server runs with Linux `no_new_privs`. Default true.
    public var noNewPrivileges: Bool
    /// `user`: a user name or numeric uid to run the server as (the proxy must run as root).
    public var user: String?
    /// `group`: a group name or numeric gid (default: the user's primary group).
    public var group: String?

    /// Creates sandbox settings; the defaults are those of an empty `sandbox: {}` section.
    public init(
        envAllow: [String]? = nil, limits: SandboxLimits = SandboxLimits(), dieWithProxy: Bool = true,
        noNewPrivileges: Bool = true, user: String? = nil, group: String? = nil
    ) {
        self.envAllow = envAllow
        self.limits = limits
        self.dieWithProxy = dieWithProxy
        self.noNewPrivileges = noNewPrivileges
        self.user = user
        self.group = group
    }
}

/// `sandbox.limits`: each limit is optional; one left out stays as the proxy has it.
public struct SandboxLimits: Sendable, Equatable {
    /// `memoryMB`: address space in MiB (RLIMIT_AS).
    public var memoryMB: Int?
    /// `cpuSeconds`: CPU time in seconds (RLIMIT_CPU).
    public var cpuSeconds: Int?
    /// `openFiles`: open descriptors (RLIMIT_NOFILE).
    public var openFiles: Int?
    /// `processes`: processes of the server's user (RLIMIT_NPROC).
    public var processes: Int?

    /// Creates limits; every one is optional.
    public init(memoryMB: Int? = nil, cpuSeconds: Int? = nil, openFiles: Int? = nil, processes: Int? = nil) {
        self.memoryMB = memoryMB
        self.cpuSeconds = cpuSeconds
        self.openFiles = openFiles
        self.processes = processes
    }
}
