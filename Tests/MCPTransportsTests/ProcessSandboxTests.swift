import Foundation
import Logging
@testable import MCPTransports
import NIOConcurrencyHelpers
import NIOCore
import XCTest

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The spawn path over real processes: what a child holds (/proc/PID/fd), the limits and flags
/// it runs with (/proc/PID/limits, /proc/PID/status), its environment, and how a failed spawn
/// is reported.
final class ProcessSandboxTests: XCTestCase {
    private let logger = Logger(label: "test")
    private var transports: [StdioProcessTransport] = []

    override func tearDown() async throws {
        for transport in transports { await transport.close() }
        transports.removeAll()
        try await super.tearDown()
    }

    /// Starts `command` with `sandbox`; the transport is closed in tearDown.
    private func start(
        _ command: String, _ arguments: [String] = [], sandbox: ProcessSandbox? = nil,
        environment: [String: String] = [:], sink: FrameCollector = FrameCollector()
    ) async throws -> (StdioProcessTransport, pid_t) {
        let transport = StdioProcessTransport(
            name: "sandboxed",
            configuration: StdioProcessConfiguration(
                command: command, arguments: arguments, environment: environment,
                shutdownGrace: .milliseconds(200), sandbox: sandbox),
            logger: logger)
        transports.append(transport)
        try await transport.start(sink: sink)
        return (transport, try XCTUnwrap(transport.processID))
    }

    private func openDescriptors(of pid: pid_t) throws -> [Int] {
        try FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").compactMap(Int.init).sorted()
    }

    private func statusField(_ name: String, of pid: pid_t) throws -> String? {
        let text = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        return text.split(separator: "\n").first { $0.hasPrefix(name + ":") }
            .map { $0.dropFirst(name.count + 1).trimmingCharacters(in: .whitespaces) }
    }

    // MARK: Descriptors

    func testChildHoldsOnlyItsThreeStandardDescriptorsEvenWithInheritableSocketsOpen() async throws {
        // A listening socket and a pipe opened deliberately without close-on-exec: the old
        // posix_spawn path handed such descriptors to every child.
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        XCTAssertGreaterThanOrEqual(listener, 0)
        defer { close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        XCTAssertEqual(bound, 0)
        XCTAssertEqual(listen(listener, 8), 0)
        XCTAssertEqual(fcntl(listener, F_GETFD) & FD_CLOEXEC, 0, "the test socket must be inheritable")
        var inheritablePipe: [CInt] = [-1, -1]
        XCTAssertEqual(pipe(&inheritablePipe), 0)
        defer { inheritablePipe.forEach { close($0) } }
        let poller = inheritablePipe[0]

        let (_, pid) = try await start("sleep", ["30"])
        let own = try openDescriptors(of: getpid())
        XCTAssertTrue(own.contains(Int(listener)) && own.contains(Int(poller)), "the test process holds them: \(own)")
        XCTAssertEqual(try openDescriptors(of: pid), [0, 1, 2], "the child holds only stdin, stdout, stderr")
    }

    func testChildRunsInItsOwnProcessGroup() async throws {
        let (_, pid) = try await start("sleep", ["30"])
        XCTAssertEqual(getpgid(pid), pid)
    }

    // MARK: Limits and flags

    func testConfiguredLimitsShowInProcLimits() async throws {
        let sandbox = ProcessSandbox(limits: ProcessResourceLimits(memoryMB: 256, cpuSeconds: 600, openFiles: 64, processes: 4096))
        let (_, pid) = try await start("sleep", ["30"], sandbox: sandbox)
        let limits = try String(contentsOfFile: "/proc/\(pid)/limits", encoding: .utf8)
        func values(_ label: String) -> [String] {
            guard let line = limits.split(separator: "\n").first(where: { $0.hasPrefix(label) }) else { return [] }
            return line.dropFirst(label.count).split(separator: " ").prefix(2).map(String.init)
        }
        XCTAssertEqual(values("Max address space"), ["268435456", "268435456"], limits)
        XCTAssertEqual(values("Max cpu time"), ["600", "600"], limits)
        XCTAssertEqual(values("Max open files"), ["64", "64"], limits)
        XCTAssertEqual(values("Max processes"), ["4096", "4096"], limits)
    }

    func testNoNewPrivilegesIsSetWithASandboxAndNotWithout() async throws {
        let (_, sandboxed) = try await start("sleep", ["30"], sandbox: ProcessSandbox())
        XCTAssertEqual(try statusField("NoNewPrivs", of: sandboxed), "1")
        let (_, plain) = try await start("sleep", ["30"])
        XCTAssertEqual(try statusField("NoNewPrivs", of: plain), "0")
        let (_, optedOut) = try await start("sleep", ["30"], sandbox: ProcessSandbox(noNewPrivileges: false))
        XCTAssertEqual(try statusField("NoNewPrivs", of: optedOut), "0")
    }

    func testChildDropsToTheConfiguredUserWhenTheProxyIsRoot() async throws {
        try XCTSkipUnless(geteuid() == 0, "dropping to another user needs root")
        let (_, pid) = try await start("sleep", ["30"], sandbox: ProcessSandbox(user: "65534", group: "65534"))
        XCTAssertEqual(try statusField("Uid", of: pid)?.split(separator: "\t").map(String.init), ["65534", "65534", "65534", "65534"])
        XCTAssertEqual(try statusField("Gid", of: pid)?.split(separator: "\t").map(String.init), ["65534", "65534", "65534", "65534"])
        XCTAssertEqual(try statusField("Groups", of: pid), "65534")
    }

    func testChildStartedFromAThreadThatExitsKeepsRunning() async throws {
        // PR_SET_PDEATHSIG fires when the forking *thread* exits. Forks happen on the one
        // long-lived spawner thread, so a caller thread that ends does not take the child along.
        let spawned = NIOLockedValueBox<Result<ChildProcess, TransportError>?>(nil)
        let thread = Thread {
            let configuration = StdioProcessConfiguration(command: "sleep", arguments: ["30"])
            spawned.withLockedValue { $0 = Result { () throws(TransportError) in try ChildProcess.spawn(configuration, environment: ProcessInfo.processInfo.environment) } }
        }
        thread.start()
        while spawned.withLockedValue({ $0 == nil }) || thread.isExecuting { try await Task.sleep(for: .milliseconds(10)) }
        let child = try XCTUnwrap(spawned.withLockedValue { $0 }).get()
        defer {
            child.signalGroup(SIGKILL)
            _ = child.waitForExit()
            [child.stdinWriter, child.stdoutReader, child.stderrReader].forEach { close($0) }
        }
        try await Task.sleep(for: .milliseconds(300))
        XCTAssertTrue(isRunning(child.pid), "the child must outlive the thread that asked for it")
        XCTAssertEqual(try statusField("PPid", of: child.pid), String(getpid()))
    }

    // MARK: Environment

    func testEnvironmentAllowlistPassesOnlyMatchingNamesAndConfiguredEntries() async throws {
        setenv("MCP_SANDBOX_KEEP_ONE", "kept", 1)
        setenv("MCP_SANDBOX_DROP_ONE", "dropped", 1)
        defer {
            unsetenv("MCP_SANDBOX_KEEP_ONE")
            unsetenv("MCP_SANDBOX_DROP_ONE")
        }
        let sink = FrameCollector()
        _ = try await start(
            "sh", ["-c", "env | sort"],
            sandbox: ProcessSandbox(environmentAllow: ["MCP_SANDBOX_KEEP_*", "PAT?"]),
            environment: ["CONFIGURED": "always"], sink: sink)
        let finished = await sink.wait { $0.closeReason != nil }
        XCTAssertTrue(finished)
        let names = Set(sink.messages.compactMap { $0.split(separator: "=", maxSplits: 1).first.map(String.init) })
        XCTAssertTrue(names.isSuperset(of: ["MCP_SANDBOX_KEEP_ONE", "PATH", "CONFIGURED"]), "\(names)")
        XCTAssertFalse(names.contains("MCP_SANDBOX_DROP_ONE"), "\(names)")
        XCTAssertFalse(names.contains("HOME"), "\(names)")
        // sh itself may add PWD, SHLVL and _; nothing else of the test's environment may pass.
        XCTAssertEqual(names.subtracting(["MCP_SANDBOX_KEEP_ONE", "PATH", "CONFIGURED", "PWD", "SHLVL", "_"]), [])
    }

    func testEnvironmentNameGlob() {
        XCTAssertTrue(EnvironmentNameGlob.matches(pattern: "LC_*", name: "LC_ALL"))
        XCTAssertTrue(EnvironmentNameGlob.matches(pattern: "LC_*", name: "LC_"))
        XCTAssertFalse(EnvironmentNameGlob.matches(pattern: "LC_*", name: "LANG"))
        XCTAssertTrue(EnvironmentNameGlob.matches(pattern: "HOME", name: "HOME"))
        XCTAssertFalse(EnvironmentNameGlob.matches(pattern: "HOME", name: "HOMEDIR"))
        XCTAssertTrue(EnvironmentNameGlob.matches(pattern: "?ATH", name: "PATH"))
        XCTAssertFalse(EnvironmentNameGlob.matches(pattern: "?ATH", name: "ATH"))
        XCTAssertTrue(EnvironmentNameGlob.matches(pattern: "*_TOKEN*", name: "GITHUB_TOKEN_RO"))
        XCTAssertTrue(EnvironmentNameGlob.matches(pattern: "A*B*C", name: "AxxBxxBxxC"))
        XCTAssertFalse(EnvironmentNameGlob.matches(pattern: "A*B*C", name: "AxxBxxCx"))
        XCTAssertTrue(EnvironmentNameGlob.matches(pattern: "*", name: "ANYTHING"))
    }

    // MARK: Failures

    private func startError(_ configuration: StdioProcessConfiguration) async -> String {
        let transport = StdioProcessTransport(name: "broken", configuration: configuration, logger: logger)
        do {
            try await transport.start(sink: FrameCollector())
            transports.append(transport)
            return "started"
        } catch {
            return error.message
        }
    }

    func testMissingExecutableIsReportedWithTheReasonAndWhatToCheck() async {
        let message = await startError(StdioProcessConfiguration(command: "/nonexistent/mcp-server-x"))
        XCTAssertTrue(message.hasPrefix("cannot start '/nonexistent/mcp-server-x': No such file or directory; check"), message)
        let bare = await startError(StdioProcessConfiguration(command: "mcp-server-not-on-path-xyz"))
        XCTAssertTrue(bare.hasPrefix("cannot start 'mcp-server-not-on-path-xyz': No such file or directory; check"), bare)
    }

    func testFileWithoutExecutePermissionIsReported() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("not-executable-\(UUID().uuidString)").path
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data("#!/bin/sh\n".utf8), attributes: [.posixPermissions: 0o644]))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let message = await startError(StdioProcessConfiguration(command: path))
        // Even root may exec a file only when some execute bit is set; 0644 has none.
        XCTAssertTrue(message.hasPrefix("cannot start '\(path)': Permission denied; check"), message)
    }

    func testMissingWorkingDirectoryIsReportedAsSuch() async {
        let message = await startError(StdioProcessConfiguration(command: "sleep", arguments: ["1"], workingDirectory: "/nonexistent-directory-xyz"))
        XCTAssertTrue(message.contains("working directory '/nonexistent-directory-xyz': No such file or directory"), message)
    }

    func testUnknownUserIsReportedBeforeSpawning() async {
        let message = await startError(StdioProcessConfiguration(command: "sleep", arguments: ["1"], sandbox: ProcessSandbox(user: "no-such-user-xyz")))
        XCTAssertTrue(message.contains("sandbox.user 'no-such-user-xyz' is not a user on this system"), message)
    }
}
