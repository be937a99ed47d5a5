import CProcessSpawn
import Foundation
import NIOConcurrencyHelpers

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A spawned child process in its own process group, with pipes for stdin, stdout and stderr.
///
/// Every child of the proxy is started here, through `mcp_spawn` (Sources/CProcessSpawn): fork
/// and exec on one long-lived spawner thread, so the child holds exactly fds 0, 1 and 2, and the
/// sandbox (limits, `no_new_privs`, user, parent-death signal) is applied before exec. The
/// parent's ends of the pipes are close-on-exec, as a second line for any other spawn path.
///
/// Every child is also in a process-wide registry from spawn until it is reaped, so that the
/// proxy can end all of them before it exits (``terminateAll(grace:)``): the parent-death signal
/// does not reach grandchildren, nor children started with `dieWithProxy: false`.
public final class ChildProcess: Sendable {
    let pid: pid_t
    /// The parent's write end of the child's stdin.
    let stdinWriter: CInt
    /// The parent's read end of the child's stdout.
    let stdoutReader: CInt
    /// The parent's read end of the child's stderr.
    let stderrReader: CInt

    private init(pid: pid_t, stdinWriter: CInt, stdoutReader: CInt, stderrReader: CInt) {
        self.pid = pid
        self.stdinWriter = stdinWriter
        self.stdoutReader = stdoutReader
        self.stderrReader = stderrReader
    }

    /// Spawns the configured command with `environment` (already filtered by the sandbox).
    /// The executable is searched in the child's PATH (else the proxy's) when it has no slash.
    static func spawn(_ configuration: StdioProcessConfiguration, environment: [String: String]) throws(TransportError) -> ChildProcess {
        let command = configuration.command
        let sandbox = configuration.sandbox
        let searchPath = environment["PATH"] ?? ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        guard let executable = resolveExecutable(command, searchPath: searchPath) else {
            throw TransportError("cannot start '\(command)': No such file or directory; check the command exists and is executable (PATH is searched when it has no '/': \(searchPath))")
        }
        let account = try SandboxAccount.resolve(user: sandbox?.user, group: sandbox?.group, command: command)
        if registry.withLockedValue({ $0.closed }) {
            throw TransportError("cannot start '\(command)': the proxy is shutting down")
        }

        var stdinPipe: [CInt] = [-1, -1]
        var stdoutPipe: [CInt] = [-1, -1]
        var stderrPipe: [CInt] = [-1, -1]
        guard mcp_pipe_cloexec(&stdinPipe) == 0 else { throw errnoError("pipe2") }
        guard mcp_pipe_cloexec(&stdoutPipe) == 0 else {
            closeAll(stdinPipe)
            throw errnoError("pipe2")
        }
        guard mcp_pipe_cloexec(&stderrPipe) == 0 else {
            closeAll(stdinPipe + stdoutPipe)
            throw errnoError("pipe2")
        }

        let argv = CStringArray([command] + configuration.arguments)
        let envp = CStringArray(environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" })
        defer {
            argv.free()
            envp.free()
        }
        let limits = sandbox?.limits ?? ProcessResourceLimits()
        var result = mcp_spawn_result()
        let status: CInt = executable.withCString { path in
            withOptionalCString(configuration.workingDirectory) { directory in
                argv.pointers.withUnsafeBufferPointer { argvPointers in
                    envp.pointers.withUnsafeBufferPointer { envpPointers in
                        var request = mcp_spawn_request()
                        request.path = path
                        request.argv = argvPointers.baseAddress
                        request.envp = envpPointers.baseAddress
                        request.working_directory = directory
                        request.stdin_fd = stdinPipe[0]
                        request.stdout_fd = stdoutPipe[1]
                        request.stderr_fd = stderrPipe[1]
                        request.address_space_bytes = limits.memoryMB.map { Int64($0) << 20 } ?? MCP_SPAWN_NO_LIMIT
                        request.cpu_seconds = limits.cpuSeconds.map(Int64.init) ?? MCP_SPAWN_NO_LIMIT
                        request.open_files = limits.openFiles.map(Int64.init) ?? MCP_SPAWN_NO_LIMIT
                        request.processes = limits.processes.map(Int64.init) ?? MCP_SPAWN_NO_LIMIT
                        request.die_with_parent = configuration.dieWithProxy ? 1 : 0
                        request.no_new_privileges = (sandbox?.noNewPrivileges ?? false) ? 1 : 0
                        if let gid = account?.gid {
                            request.change_group = 1
                            request.gid = gid
                        }
                        if let uid = account?.uid {
                            request.change_user = 1
                            request.uid = uid
                        }
                        return mcp_spawn(&request, &result)
                    }
                }
            }
        }
        close(stdinPipe[0])
        close(stdoutPipe[1])
        close(stderrPipe[1])
        guard status == 0 else {
            closeAll([stdinPipe[1], stdoutPipe[0], stderrPipe[0]])
            throw failure(result, configuration: configuration, executable: executable)
        }
        let child = ChildProcess(pid: result.pid, stdinWriter: stdinPipe[1], stdoutReader: stdoutPipe[0], stderrReader: stderrPipe[0])
        registry.withLockedValue { $0.children[child.pid] = child }
        return child
    }

    /// Sends `signal` to the child's whole process group.
    func signalGroup(_ signal: CInt) {
        if kill(-pid, signal) != 0 {
            _ = kill(pid, signal)
        }
    }

    /// Blocks the calling thread until the child exits; returns the exit code or the negated signal.
    ///
    /// Before the child is reaped, whatever is left in its process group (children it started
    /// and did not wait for) gets SIGKILL: while the exited leader is an unreaped zombie its pid
    /// cannot be reused, so the signal cannot reach an unrelated group.
    func waitForExit() -> Int32 {
        var info = siginfo_t()
        var waited = waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT)
        while waited != 0 && errno == EINTR { waited = waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) }
        if waited == 0 { _ = kill(-pid, SIGKILL) }
        var status: CInt = 0
        defer { Self.unregister(self) }
        while true {
            let result = waitpid(pid, &status, 0)
            if result == pid { break }
            if result == -1 && errno == EINTR { continue }
            return -1
        }
        if (status & 0x7f) == 0 { return (status >> 8) & 0xff }
        return -(status & 0x7f)
    }

    /// Reaps the child on a thread of its own (for a child nobody else waits for).
    func reapInBackground() {
        let thread = Thread { [self] in _ = self.waitForExit() }
        thread.name = "mcp-proxy reap \(pid)"
        thread.start()
    }

    // MARK: Every child of the process

    private struct Registry {
        /// The children spawned and not reaped yet, by pid.
        var children: [pid_t: ChildProcess] = [:]
        /// Set by a final ``terminateAll(grace:killWait:final:)``: no child may start any more.
        var closed = false
    }

    private static let registry = NIOLockedValueBox(Registry())

    private static func unregister(_ child: ChildProcess) {
        registry.withLockedValue { registry in
            if registry.children[child.pid] === child { registry.children[child.pid] = nil }
        }
    }

    /// How many children run (or have exited and are not reaped yet).
    public static var liveCount: Int {
        registry.withLockedValue { $0.children.count }
    }

    /// Ends every child still running, for the proxy's exit: SIGTERM to each child's process
    /// group, up to `grace` for them to exit, then SIGKILL to the groups of those left, and up to
    /// `killWait` more until they are reaped. Children are reaped by their transports' waiting
    /// threads (which also SIGKILL what a child leaves in its group), and their transports report
    /// `.processExited`. With `final` (the default), no child may be spawned afterwards (an
    /// upstream restarted while this runs fails to start, or is ended in a second round).
    /// Returns the pids that had to be killed with SIGKILL.
    @discardableResult
    public static func terminateAll(grace: Duration, killWait: Duration = .seconds(2), final: Bool = true) async -> [Int32] {
        var killed: [Int32] = []
        // A second round catches a child spawned while the first ran (before `closed` was seen).
        for _ in 0..<2 {
            let running = registry.withLockedValue { registry -> [ChildProcess] in
                if final { registry.closed = true }
                return Array(registry.children.values)
            }
            guard !running.isEmpty else { break }
            for child in running where isLive(child) { child.signalGroup(SIGTERM) }
            await waitUntilReaped(running, within: grace)
            let stubborn = running.filter { isLive($0) }
            guard !stubborn.isEmpty else { continue }
            for child in stubborn where isLive(child) { child.signalGroup(SIGKILL) }
            await waitUntilReaped(stubborn, within: killWait)
            killed += stubborn.map(\.pid)
        }
        return killed
    }

    private static func isLive(_ child: ChildProcess) -> Bool {
        registry.withLockedValue { $0.children[child.pid] === child }
    }

    private static func waitUntilReaped(_ children: [ChildProcess], within limit: Duration) async {
        let deadline = ContinuousClock.now + limit
        while children.contains(where: isLive) && ContinuousClock.now < deadline {
            do {
                try await Task.sleep(for: .milliseconds(10))
            } catch {
                usleep(10_000)  // cancelled: the children must still be waited for
            }
        }
    }

    /// The error for a failed spawn: which step, why, and what to check.
    private static func failure(_ result: mcp_spawn_result, configuration: StdioProcessConfiguration, executable: String) -> TransportError {
        let command = configuration.command
        let reason = String(cString: strerror(result.error))
        let step = String(cString: mcp_spawn_step_name(result.step))
        switch Int(result.step) {
        case Int(MCP_SPAWN_STEP_EXEC.rawValue) where result.error == ENOMEM && configuration.sandbox?.limits.memoryMB != nil:
            return TransportError("cannot start '\(command)': \(reason); sandbox.limits.memoryMB (\(configuration.sandbox?.limits.memoryMB ?? 0) MiB of address space) is too small to load it, raise it")
        case Int(MCP_SPAWN_STEP_EXEC.rawValue):
            return TransportError("cannot start '\(command)': \(reason); check that \(executable) exists, is executable and, for a script, that its interpreter (#! line) exists")
        case Int(MCP_SPAWN_STEP_CHDIR.rawValue):
            return TransportError("cannot start '\(command)': cannot change to the working directory '\(configuration.workingDirectory ?? "")': \(reason); check cwd (or sandbox.workingDirectory)")
        case Int(MCP_SPAWN_STEP_RLIMIT_AS.rawValue), Int(MCP_SPAWN_STEP_RLIMIT_CPU.rawValue),
             Int(MCP_SPAWN_STEP_RLIMIT_NOFILE.rawValue), Int(MCP_SPAWN_STEP_RLIMIT_NPROC.rawValue):
            return TransportError("cannot start '\(command)': \(step) failed: \(reason); a limit above the proxy's own hard limit needs root, lower it in sandbox.limits")
        case Int(MCP_SPAWN_STEP_SETGROUPS.rawValue), Int(MCP_SPAWN_STEP_SETGID.rawValue), Int(MCP_SPAWN_STEP_SETUID.rawValue):
            return TransportError("cannot start '\(command)': \(step) failed: \(reason); check sandbox.user and sandbox.group")
        case Int(MCP_SPAWN_STEP_FORK.rawValue), Int(MCP_SPAWN_STEP_STATUS_PIPE.rawValue), Int(MCP_SPAWN_STEP_THREAD.rawValue):
            return TransportError("cannot start '\(command)': \(step) failed: \(reason); the proxy may be out of processes or file descriptors (check ulimit -u and ulimit -n)")
        default:
            return TransportError("cannot start '\(command)': \(step) failed: \(reason)")
        }
    }

    /// The executable for `command`: itself when it has a slash, else the first executable
    /// regular file of that name in `searchPath`; nil when there is none.
    private static func resolveExecutable(_ command: String, searchPath: String) -> String? {
        guard !command.contains("/") else { return command }
        for directory in searchPath.split(separator: ":", omittingEmptySubsequences: true) {
            let candidate = "\(directory)/\(command)"
            var info = stat()
            if stat(candidate, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, access(candidate, X_OK) == 0 {
                return candidate
            }
        }
        return nil
    }

    private static func closeAll(_ fds: [CInt]) {
        for fd in fds where fd >= 0 { close(fd) }
    }

    private static func errnoError(_ call: String) -> TransportError {
        TransportError("\(call) failed: \(String(cString: strerror(errno))); the proxy may be out of file descriptors (raise ulimit -n)")
    }
}

/// Runs `body` with a C string for `text`, or with nil.
private func withOptionalCString<Result>(_ text: String?, _ body: (UnsafePointer<CChar>?) -> Result) -> Result {
    guard let text else { return body(nil) }
    return text.withCString { body($0) }
}

/// A NULL-terminated array of C strings for exec-style calls.
private struct CStringArray {
    let pointers: [UnsafeMutablePointer<CChar>?]

    init(_ strings: [String]) {
        pointers = strings.map { strdup($0) } + [nil]
    }

    func free() {
        for pointer in pointers { Foundation.free(pointer) }
    }
}
