import ArgumentParser
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `mcp-bench stdio -- COMMAND ARGS…`: spawns the target and loads it over its stdin/stdout.
struct StdioMode: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stdio",
        abstract: "Spawn COMMAND and load it over stdio (newline-delimited JSON-RPC).",
        discussion: "The target's RSS is read from /proc after the handshake (idle) and after the last run (current and peak).")

    @OptionGroup var load: LoadOptions

    @Flag(help: "Send the target's stderr to /dev/null.")
    var silenceTarget = false

    @Option(help: "Longest line accepted from the target.")
    var maxLineBytes = 64 << 20

    @Argument(parsing: .postTerminator, help: "The target command and its arguments (after --).")
    var command: [String] = []

    func validate() throws {
        guard !targetCommand.isEmpty else { throw ValidationError("Give the target command after --, e.g. mcp-bench stdio -- fast-upstream") }
    }

    private var targetCommand: [String] { command.first == "--" ? Array(command.dropFirst()) : command }

    func run() async throws {
        signal(SIGPIPE, SIG_IGN)
        let argv = targetCommand
        let label = load.target ?? String(argv[0].split(separator: "/").last ?? Substring(argv[0]))
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let connection = try await StdioConnection.start(
            command: argv[0], arguments: Array(argv.dropFirst()), window: load.concurrency,
            silenceStderr: silenceTarget, maxLineBytes: maxLineBytes, on: loop)
        let pid = connection.process.pid
        var exitCode: Int32 = 0
        do {
            let ids = IDSource()
            let handshake = try await Handshake.perform(on: connection, ids: ids, protocolVersion: load.protocolVersion, tool: load.tool)
            if !load.quiet {
                BenchOutput.note("\(label): \(handshake.serverName), protocol \(handshake.protocolVersion), calling '\(handshake.tool)'")
            }
            try await Task.sleep(for: .milliseconds(200))
            let idle = ProcessMemory.read(pid: pid)
            let session = LoadSession(connection: connection, ids: ids, request: ToolCallRequest(tool: handshake.tool, size: load.payload), recorder: LatencyRecorder())
            let failed = try await LoadRun.measure(
                [session], load: load, label: label, transport: "stdio", targetPID: pid, idleMemory: idle,
                memory: { ProcessMemory.read(pid: pid) })
            if failed { exitCode = 1 }
        } catch {
            BenchOutput.note("mcp-bench: \(label): \(error)")
            exitCode = 1
        }
        try? await connection.close().get()
        _ = await connection.process.reap(grace: .seconds(10))
        try? await group.shutdownGracefully()
        if exitCode != 0 { throw ExitCode(exitCode) }
    }
}
