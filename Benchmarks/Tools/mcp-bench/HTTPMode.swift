import ArgumentParser
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `mcp-bench http --url URL`: loads a Streamable HTTP endpoint with C sessions.
struct HTTPMode: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "http",
        abstract: "Load a Streamable HTTP MCP endpoint: one keep-alive connection and one session per concurrent client.")

    @OptionGroup var load: LoadOptions

    @Option(help: "A bearer token sent as Authorization on every request (a gateway with proxy.auth).")
    var bearer: String?

    @Option(help: "The MCP endpoint, e.g. http://127.0.0.1:8080/mcp.")
    var url: String

    @Option(help: "Event-loop threads of the load generator.")
    var threads = 1

    @Option(help: "A process (the server under test) whose RSS to report after the handshakes and after the last run.")
    var pid: Int32?

    func validate() throws {
        guard threads > 0 else { throw ValidationError("--threads must be at least 1") }
    }

    func run() async throws {
        signal(SIGPIPE, SIG_IGN)
        raiseOpenFileLimit()
        let endpoint = try EndpointURL(url)
        let label = load.target ?? endpoint.description
        let group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        var sessions: [LoadSession] = []
        var exitCode: Int32 = 0
        do {
            sessions = try await Self.openSessions(count: load.concurrency, endpoint: endpoint, group: group, load: load, label: label, bearer: bearer)
            let idle = pid.flatMap(ProcessMemory.read)
            let failed = try await LoadRun.measure(
                sessions, load: load, label: label, transport: "http", targetPID: pid, idleMemory: idle,
                memory: { pid.flatMap(ProcessMemory.read) })
            if failed { exitCode = 1 }
        } catch {
            BenchOutput.note("mcp-bench: \(label): \(error)")
            exitCode = 1
        }
        for session in sessions { try? await session.connection.close().get() }
        try? await group.shutdownGracefully()
        if exitCode != 0 { throw ExitCode(exitCode) }
    }

    /// Connects `count` sessions (round-robin over the loops) and performs each handshake.
    static func openSessions(count: Int, endpoint: EndpointURL, group: MultiThreadedEventLoopGroup, load: LoadOptions, label: String, bearer: String?) async throws -> [LoadSession] {
        var recorders: [ObjectIdentifier: LatencyRecorder] = [:]
        var loops: [any EventLoop] = []
        for _ in 0..<count {
            let loop = group.next()
            loops.append(loop)
            if recorders[ObjectIdentifier(loop)] == nil { recorders[ObjectIdentifier(loop)] = LatencyRecorder() }
        }
        let results = try await withThrowingTaskGroup(of: (Int, LoadSession, HandshakeResult).self) { tasks in
            for (index, loop) in loops.enumerated() {
                let recorder = recorders[ObjectIdentifier(loop)] ?? LatencyRecorder()
                tasks.addTask {
                    let connection = try await HTTPConnection.connect(to: endpoint, on: loop, bearer: bearer)
                    let ids = IDSource()
                    let handshake = try await Handshake.perform(on: connection, ids: ids, protocolVersion: load.protocolVersion, tool: load.tool)
                    let session = LoadSession(connection: connection, ids: ids, request: ToolCallRequest(tool: handshake.tool, size: load.payload), recorder: recorder)
                    return (index, session, handshake)
                }
            }
            var collected: [(Int, LoadSession, HandshakeResult)] = []
            for try await result in tasks { collected.append(result) }
            return collected.sorted { $0.0 < $1.0 }
        }
        if let first = results.first, !load.quiet {
            BenchOutput.note("\(label): \(first.2.serverName), protocol \(first.2.protocolVersion), calling '\(first.2.tool)' over \(count) session(s)")
        }
        return results.map(\.1)
    }
}
