import CProcessSpawn
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A spawned child process in its own process group, with pipes for stdin, stdout and stderr.
///
/// The parent's ends of the pipes are close-on-exec, so no other child inherits them.
final class ChildProcess: Sendable {
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

    /// Spawns `command` (searched in PATH when it has no slash).
    static func spawn(
        command: String,
        arguments: [String],
        environment: [String: String],
        workingDirectory: String?
    ) throws(TransportError) -> ChildProcess {
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
        let allFDs = stdinPipe + stdoutPipe + stderrPipe

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, stdinPipe[0], STDIN_FILENO)
        posix_spawn_file_actions_adddup2(&actions, stdoutPipe[1], STDOUT_FILENO)
        posix_spawn_file_actions_adddup2(&actions, stderrPipe[1], STDERR_FILENO)
        if let directory = workingDirectory {
            let status = mcp_spawn_file_actions_addchdir(&actions, directory)
            if status != 0 {
                closeAll(allFDs)
                throw TransportError("cannot set working directory '\(directory)' for '\(command)': \(String(cString: strerror(status)))")
            }
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Own process group (so shutdown signals reach grandchildren), clean signal mask, and
        // default dispositions for signals the proxy ignores or handles (ignored ones would be inherited).
        let flags = POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF
        posix_spawnattr_setflags(&attributes, Int16(flags))
        posix_spawnattr_setpgroup(&attributes, 0)
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGCHLD, SIGALRM] {
            sigaddset(&defaults, signal)
        }
        posix_spawnattr_setsigdefault(&attributes, &defaults)

        let argv = CStringArray([command] + arguments)
        let envp = CStringArray(environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" })
        defer {
            argv.free()
            envp.free()
        }

        // posix_spawnp searches the proxy's PATH; a PATH in the child's environment should win.
        let executable = resolveExecutable(command, path: environment["PATH"])
        var pid: pid_t = 0
        let status = posix_spawnp(&pid, executable, &actions, &attributes, argv.pointers, envp.pointers)
        close(stdinPipe[0])
        close(stdoutPipe[1])
        close(stderrPipe[1])
        guard status == 0 else {
            closeAll([stdinPipe[1], stdoutPipe[0], stderrPipe[0]])
            let reason = String(cString: strerror(status))
            throw TransportError("cannot start '\(command)': \(reason); check the command exists and is executable (PATH is searched when it has no '/')")
        }
        return ChildProcess(pid: pid, stdinWriter: stdinPipe[1], stdoutReader: stdoutPipe[0], stderrReader: stderrPipe[0])
    }

    /// Sends `signal` to the child's whole process group.
    func signalGroup(_ signal: CInt) {
        if kill(-pid, signal) != 0 {
            _ = kill(pid, signal)
        }
    }

    /// Blocks the calling thread until the child exits; returns the exit code or the negated signal.
    func waitForExit() -> Int32 {
        var status: CInt = 0
        while true {
            let result = waitpid(pid, &status, 0)
            if result == pid { break }
            if result == -1 && errno == EINTR { continue }
            return -1
        }
        if (status & 0x7f) == 0 { return (status >> 8) & 0xff }
        return -(status & 0x7f)
    }

    private static func resolveExecutable(_ command: String, path: String?) -> String {
        guard !command.contains("/"), let path else { return command }
        for directory in path.split(separator: ":") where !directory.isEmpty {
            let candidate = "\(directory)/\(command)"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        return command
    }

    private static func closeAll(_ fds: [CInt]) {
        for fd in fds where fd >= 0 { close(fd) }
    }

    private static func errnoError(_ call: String) -> TransportError {
        TransportError("\(call) failed: \(String(cString: strerror(errno))); the proxy may be out of file descriptors (raise ulimit -n)")
    }
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
