/// How to run an upstream MCP server as a child process speaking newline-delimited JSON-RPC.
public struct StdioProcessConfiguration: Sendable, Equatable {
    /// The executable; searched in PATH when it has no `/`.
    public var command: String
    /// Arguments after the command name.
    public var arguments: [String]
    /// Variables for the child. With `inheritEnvironment` they are laid over the proxy's own.
    public var environment: [String: String]
    /// Whether the child starts from the proxy's environment (true) or only `environment` plus PATH.
    public var inheritEnvironment: Bool
    /// The child's working directory; nil keeps the proxy's.
    public var workingDirectory: String?
    /// Longest line accepted from the child; longer ones are discarded and reported.
    public var maxLineBytes: Int
    /// How long to wait after closing stdin before SIGTERM, and after SIGTERM before SIGKILL.
    public var shutdownGrace: Duration
    /// Confinement of the child: environment allowlist, resource limits, `no_new_privs`, user.
    /// `nil` applies none of those, but the child still dies with the proxy (see ``dieWithProxy``),
    /// gets only fds 0, 1 and 2, and runs in its own process group.
    public var sandbox: ProcessSandbox?

    /// Whether the child gets SIGKILL when the proxy dies: the sandbox's setting, on without one.
    public var dieWithProxy: Bool { sandbox?.dieWithProxy ?? true }

    /// Creates a configuration; only `command` is required.
    public init(
        command: String,
        arguments: [String] = [],
        environment: [String: String] = [:],
        inheritEnvironment: Bool = true,
        workingDirectory: String? = nil,
        maxLineBytes: Int = 16 << 20,
        shutdownGrace: Duration = .seconds(5),
        sandbox: ProcessSandbox? = nil
    ) {
        self.command = command
        self.arguments = arguments
        self.environment = environment
        self.inheritEnvironment = inheritEnvironment
        self.workingDirectory = workingDirectory
        self.maxLineBytes = maxLineBytes
        self.shutdownGrace = shutdownGrace
        self.sandbox = sandbox
    }

    /// The environment the child actually gets: the inherited part (all of `parent`, or only its
    /// PATH) filtered by the sandbox's allowlist, then the configured `environment` on top.
    func effectiveEnvironment(parent: [String: String]) -> [String: String] {
        var result: [String: String]
        if inheritEnvironment {
            result = parent
        } else {
            result = [:]
            if let path = parent["PATH"] { result["PATH"] = path }
        }
        if let sandbox {
            result = result.filter { sandbox.allowsVariable($0.key) }
        }
        for (key, value) in environment { result[key] = value }
        return result
    }
}
