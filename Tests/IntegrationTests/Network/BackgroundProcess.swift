import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A long-running child (`mcp-proxy serve` or `example-server --http`) whose stderr goes to a
/// file, so the test can wait for the lines that announce its ports and show its log on failure.
final class BackgroundProcess: @unchecked Sendable {
    // @unchecked: the Process is only touched from the test's own task.
    let process: Process
    let logPath: String
    let label: String

    init(label: String, executable: String, arguments: [String], directory: TemporaryDirectory) throws {
        try Binaries.check()
        self.label = label
        logPath = directory.path + "/\(label).stderr.log"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        self.process = process
        try process.run()
    }

    var pid: Int32 { process.processIdentifier }
    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }
    var logTail: String { String(log.suffix(4000)) }

    /// Waits for a log line matching `pattern` (a regular expression with one capture group)
    /// and returns the captured text.
    func waitForLog(_ pattern: String, what: String, timeout: Duration = .seconds(20)) async throws -> String {
        let regex = try NSRegularExpression(pattern: pattern)
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let text = log
            for line in text.split(separator: "\n") {
                let line = String(line)
                if let match = regex.firstMatch(in: line, range: NSRange(line.startIndex..., in: line)),
                   let range = Range(match.range(at: 1), in: line) {
                    return String(line[range])
                }
            }
            if !process.isRunning {
                throw IntegrationFailure("\(label) exited (status \(process.terminationStatus)) before logging \(what):\n\(logTail)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw IntegrationFailure("\(label) did not log \(what) within \(timeout):\n\(logTail)")
    }

    /// Waits until the process exits; its status, or nil on timeout.
    func waitForExit(timeout: Duration) async -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            if ContinuousClock.now >= deadline { return nil }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return process.terminationStatus
    }

    /// SIGTERM, then SIGKILL if it lingers.
    func stop() async {
        guard process.isRunning else { return }
        kill(pid, SIGTERM)
        if await waitForExit(timeout: .seconds(12)) == nil {
            kill(pid, SIGKILL)
            _ = await waitForExit(timeout: .seconds(5))
        }
    }
}

/// `example-server --http 127.0.0.1:0` and the port it bound.
struct ExampleHTTPServer {
    let process: BackgroundProcess
    let port: Int

    static func start(name: String, idleTimeout: Double? = nil, directory: TemporaryDirectory) async throws -> ExampleHTTPServer {
        var arguments = ["--name", name, "--http", "127.0.0.1:0"]
        if let idleTimeout { arguments += ["--idle-timeout", String(idleTimeout)] }
        let process = try BackgroundProcess(label: "example-\(name)", executable: Binaries.exampleServer, arguments: arguments, directory: directory)
        let portText = try await process.waitForLog(#"listening on (\d+)"#, what: "'listening on PORT'")
        guard let port = Int(portText) else { throw IntegrationFailure("bad port \(portText)") }
        return ExampleHTTPServer(process: process, port: port)
    }

    var base: String { "http://127.0.0.1:\(port)" }
}

/// `mcp-proxy serve` on ephemeral ports, with the front and admin ports read from its log.
struct ServeProcess {
    let process: BackgroundProcess
    let port: Int
    let adminPort: Int

    static func start(config: String, directory: TemporaryDirectory, label: String = "serve", extraArguments: [String] = []) async throws -> ServeProcess {
        let path = try directory.write("\(label).yaml", config)
        let process = try BackgroundProcess(
            label: label, executable: Binaries.proxy,
            arguments: ["serve", "--config", path, "--listen", "127.0.0.1:0", "--admin", "127.0.0.1:0"] + extraArguments,
            directory: directory)
        let adminText = try await process.waitForLog(#"url=http://127\.0\.0\.1:(\d+).*admin listening"#, what: "the admin listener's url")
        let frontText = try await process.waitForLog(#"url=http://127\.0\.0\.1:(\d+).*\] listening"#, what: "the front's url")
        guard let port = Int(frontText), let adminPort = Int(adminText) else { throw IntegrationFailure("bad ports \(frontText) \(adminText)") }
        return ServeProcess(process: process, port: port, adminPort: adminPort)
    }

    var base: String { "http://127.0.0.1:\(port)" }
}

/// YAML for configs that mix stdio and remote upstreams.
enum NetworkConfigText {
    enum Upstream {
        case stdio(name: String)
        case remote(name: String, url: String, type: String?)
    }

    static func make(_ upstreams: [Upstream], proxy: [String] = []) -> String {
        var lines = ["mcpServers:"]
        for upstream in upstreams {
            switch upstream {
            case .stdio(let name):
                lines.append("  \(name):")
                lines.append("    command: \(ConfigFile.quote(Binaries.exampleServer))")
                lines.append("    args: [\"--name\", \(ConfigFile.quote(name))]")
            case .remote(let name, let url, let type):
                lines.append("  \(name):")
                lines.append("    url: \(ConfigFile.quote(url))")
                if let type { lines.append("    type: \(type)") }
            }
        }
        if !proxy.isEmpty {
            lines.append("proxy:")
            lines += proxy.map { "  " + $0 }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
