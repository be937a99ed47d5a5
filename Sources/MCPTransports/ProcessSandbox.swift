/// How a stdio upstream is confined when it is spawned (`mcpServers.<name>.sandbox`).
///
/// Every child, sandboxed or not, gets only fds 0, 1 and 2 and runs in its own process group.
/// On top of that the sandbox filters the environment, sets resource limits, arms the
/// parent-death signal, sets `no_new_privs`, and can drop to another user and group when the
/// proxy runs as root. It does not isolate: no namespaces, no seccomp, no filesystem or network
/// isolation (see Documentation/Security.md).
public struct ProcessSandbox: Sendable, Equatable {
    /// Globs (`*`, `?`) on variable names: only matching variables of the inherited environment
    /// reach the child. The server's configured `env` entries always do. `nil`: no filtering.
    public var environmentAllow: [String]?
    /// Resource limits set in the child before exec.
    public var limits: ProcessResourceLimits
    /// Whether the child gets SIGKILL when the proxy dies, even by SIGKILL (`PR_SET_PDEATHSIG`,
    /// Linux). On by default.
    public var dieWithProxy: Bool
    /// Whether the child runs with `PR_SET_NO_NEW_PRIVS` (setuid binaries and file capabilities
    /// grant nothing). On by default.
    public var noNewPrivileges: Bool
    /// A user name or numeric id to run the child as. Needs a proxy running as root.
    public var user: String?
    /// A group name or numeric id to run the child as (default: the user's primary group).
    /// Needs a proxy running as root.
    public var group: String?

    /// Creates a sandbox; the defaults filter nothing and limit nothing, but die with the proxy
    /// and set `no_new_privs`.
    public init(
        environmentAllow: [String]? = nil,
        limits: ProcessResourceLimits = ProcessResourceLimits(),
        dieWithProxy: Bool = true,
        noNewPrivileges: Bool = true,
        user: String? = nil,
        group: String? = nil
    ) {
        self.environmentAllow = environmentAllow
        self.limits = limits
        self.dieWithProxy = dieWithProxy
        self.noNewPrivileges = noNewPrivileges
        self.user = user
        self.group = group
    }

    /// Whether `name` passes `environmentAllow`.
    func allowsVariable(_ name: String) -> Bool {
        guard let environmentAllow else { return true }
        return environmentAllow.contains { EnvironmentNameGlob.matches(pattern: $0, name: name) }
    }
}
