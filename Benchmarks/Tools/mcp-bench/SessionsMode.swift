import ArgumentParser
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `mcp-bench sessions --url URL --count K`: opens K sessions and holds them (memory measurement).
struct SessionsMode: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sessions",
        abstract: "Open K Streamable HTTP sessions (initialize each, one connection each) and hold them open.",
        discussion: "Prints one JSON line when all are open (with the RSS of --pid, if given), then holds them for --hold seconds, or until killed.")

    @Option(help: "A bearer token sent as Authorization on every request (a gateway with proxy.auth).")
    var bearer: String?

    @Option(help: "The MCP endpoint, e.g. http://127.0.0.1:8080/mcp.")
    var url: String

    @Option(help: "Sessions to open.")
    var count = 1_000

    @Option(help: "Handshakes in progress at once while opening.")
    var parallel = 32

    @Option(help: "Seconds to hold the sessions after reporting; negative holds until killed.")
    var hold: Double = -1

    @Option(help: "Seconds to wait after the last handshake before reading --pid's memory.")
    var settle: Double = 1

    @Option(help: "A process (the server under test) whose RSS to report before and after opening.")
    var pid: Int32?

    @Option(help: "A label for the target in the output.")
    var target: String?

    @Option(help: "The protocol version offered in initialize.")
    var protocolVersion = "2025-11-25"

    @Option(help: "Event-loop threads of the load generator.")
    var threads = 1

    func validate() throws {
        guard count > 0, parallel > 0, threads > 0 else { throw ValidationError("--count, --parallel and --threads must be at least 1") }
    }

    func run() async throws {
        signal(SIGPIPE, SIG_IGN)
        raiseOpenFileLimit()
        let endpoint = try EndpointURL(url)
        let label = target ?? endpoint.description
        let group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        let before = pid.flatMap(ProcessMemory.read)
        let start = NIODeadline.now().uptimeNanoseconds
        var connections: [HTTPConnection] = []
        var errors = 0
        var firstError: String?
        var next = 0
        try await withThrowingTaskGroup(of: Result<HTTPConnection, BenchError>.self) { tasks in
            func addOne() {
                let loop = group.next()
                let version = protocolVersion
                let bearer = self.bearer
                tasks.addTask {
                    do {
                        let connection = try await HTTPConnection.connect(to: endpoint, on: loop, bearer: bearer)
                        _ = try await Handshake.perform(on: connection, ids: IDSource(), protocolVersion: version, tool: nil, listTools: false)
                        return .success(connection)
                    } catch let error as BenchError {
                        return .failure(error)
                    } catch {
                        return .failure(BenchError("\(error)"))
                    }
                }
                next += 1
            }
            while next < min(parallel, count) { addOne() }
            for try await result in tasks {
                switch result {
                case .success(let connection): connections.append(connection)
                case .failure(let error):
                    errors += 1
                    if firstError == nil { firstError = error.message }
                }
                if next < count { addOne() }
            }
        }
        let openSeconds = Double(NIODeadline.now().uptimeNanoseconds &- start) / 1e9
        try await Task.sleep(for: .milliseconds(Int(settle * 1000)))
        let after = pid.flatMap(ProcessMemory.read)
        var fields = [
            "\"target\":\(quoted(label))", "\"mode\":\"sessions\"", "\"sessions\":\(connections.count)",
            "\"requested\":\(count)", "\"errors\":\(errors)", "\"open_s\":\(fixed(openSeconds, 3))",
        ]
        if let pid { fields.append("\"target_pid\":\(pid)") }
        if let before {
            fields.append("\"rss_before_kb\":\(before.rssKB)")
            fields.append("\"anon_before_kb\":\(before.anonKB)")
        }
        if let after {
            fields.append("\"rss_kb\":\(after.rssKB)")
            fields.append("\"anon_kb\":\(after.anonKB)")
            fields.append("\"peak_rss_kb\":\(after.peakKB)")
        }
        BenchOutput.json("{" + fields.joined(separator: ",") + "}")
        var text = "\(label): \(connections.count) of \(count) sessions open in \(fixed(openSeconds, 2)) s, \(errors) errors"
        if let before, let after { text += "; target RSS \(before.rssKB) KiB before, \(after.rssKB) KiB with the sessions open (peak \(after.peakKB) KiB)" }
        if let firstError { text += "\n  first error: \(firstError)" }
        BenchOutput.note(text + "\nready")
        if hold < 0 {
            while true { try await Task.sleep(for: .seconds(3600)) }
        } else if hold > 0 {
            try await Task.sleep(for: .milliseconds(Int(hold * 1000)))
        }
        for connection in connections { try? await connection.close().get() }
        try? await group.shutdownGracefully()
        if errors > 0 { throw ExitCode(1) }
    }
}
