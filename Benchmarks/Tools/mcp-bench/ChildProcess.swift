#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A target command started with pipes on its stdin and stdout; its stderr is the bench's own
/// (or /dev/null). It inherits the CPU affinity, so `taskset` on mcp-bench pins the whole chain.
struct ChildProcess: Sendable {
    let pid: pid_t
    /// The parent's end of the child's stdout (read from it).
    let readFD: Int32
    /// The parent's end of the child's stdin (write to it).
    let writeFD: Int32

    /// Spawns `command` (searched in PATH) with `arguments`.
    static func spawn(command: String, arguments: [String], silenceStderr: Bool) throws(BenchError) -> ChildProcess {
        var toChild: [Int32] = [0, 0]
        var fromChild: [Int32] = [0, 0]
        guard pipe(&toChild) == 0, pipe(&fromChild) == 0 else {
            throw BenchError("cannot create pipes for '\(command)': \(String(cString: strerror(errno)))")
        }
        for fd in toChild + fromChild { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, toChild[0], STDIN_FILENO)
        posix_spawn_file_actions_adddup2(&actions, fromChild[1], STDOUT_FILENO)
        if silenceStderr {
            posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0)
        }

        let argv: [UnsafeMutablePointer<CChar>?] = ([command] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let status = posix_spawnp(&pid, command, &actions, nil, argv, environ)
        close(toChild[0])
        close(fromChild[1])
        guard status == 0 else {
            close(toChild[1])
            close(fromChild[0])
            throw BenchError("cannot start '\(command)': \(String(cString: strerror(status))). Check the path (it is searched in PATH) and that it is executable")
        }
        return ChildProcess(pid: pid, readFD: fromChild[0], writeFD: toChild[1])
    }

    /// Waits up to `grace` for the child to exit (its stdin is closed by then), then SIGTERM, then SIGKILL.
    /// Returns the exit status (negative: killed by that signal).
    func reap(grace: Duration) async -> Int32 {
        for signalToSend in [0, SIGTERM, SIGKILL] {
            if signalToSend != 0 { kill(pid, signalToSend) }
            let deadline = ContinuousClock.now + grace
            while ContinuousClock.now < deadline {
                var status: Int32 = 0
                let result = waitpid(pid, &status, WNOHANG)
                if result == pid {
                    let signalled = status & 0x7f
                    return signalled == 0 ? (status >> 8) & 0xff : -signalled
                }
                if result < 0 { return -1 }
                try? await Task.sleep(for: .milliseconds(10))
            }
        }
        return -1
    }
}

/// Why mcp-bench could not do what it was asked; the message says what to check.
struct BenchError: Error, CustomStringConvertible {
    let message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
}
