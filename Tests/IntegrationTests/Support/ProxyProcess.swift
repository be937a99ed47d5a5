import Foundation
import JSONRPC

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The built `mcp-proxy` running as a real child process, spoken to with raw JSON-RPC lines over
/// its stdin and stdout.
///
/// Everything the proxy writes is kept in arrival order. Waits poll that record with a deadline,
/// so a missing message fails fast with the lines that did arrive; each wait consumes what it
/// matched, so repeated waits see successive messages.
final class ProxyProcess: @unchecked Sendable {
    // @unchecked: mutable state is behind `lock`; the rest is set in init.

    /// How long a wait lasts unless told otherwise.
    static let defaultTimeout: Duration = .seconds(10)

    let process: Process
    let configPath: String
    private let input: FileHandle
    /// Kept so their file handles (and descriptors the reader threads use) stay open.
    private let pipes: [Pipe]
    private let lock = NSLock()
    private var received: [ReceivedMessage] = []
    private var consumed: Set<Int> = []
    private var errorText = ""
    private var stdoutClosed = false
    private var nextID = 1000

    /// Spawns `mcp-proxy --config <path> <extra arguments>`.
    init(configPath: String, arguments: [String] = []) throws {
        try Binaries.check()
        self.configPath = configPath
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Binaries.proxy)
        process.arguments = ["--config", configPath] + arguments
        let stdin = Pipe()
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        self.process = process
        self.input = stdin.fileHandleForWriting
        self.pipes = [stdin, stdout, stderr]
        // A write to a proxy that already exited must fail, not kill the test runner.
        signal(SIGPIPE, SIG_IGN)
        try process.run()
        // The child has its copies; close ours of the child's ends so EOF travels both ways.
        try? stdin.fileHandleForReading.close()
        try? stdout.fileHandleForWriting.close()
        try? stderr.fileHandleForWriting.close()
        Self.readLines(from: stdout.fileHandleForReading.fileDescriptor, name: "proxy stdout") { [weak self] line in
            self?.append(line: line)
        } atEnd: { [weak self] in
            self?.lock.withLock { self?.stdoutClosed = true }
        }
        Self.readLines(from: stderr.fileHandleForReading.fileDescriptor, name: "proxy stderr") { [weak self] line in
            self?.lock.withLock { self?.errorText += line + "\n" }
        } atEnd: {}
    }

    var pid: Int32 { process.processIdentifier }

    /// Everything the proxy wrote to stderr so far (its log).
    var standardError: String { lock.withLock { errorText } }

    /// Every message received so far, consumed or not, in arrival order.
    var allMessages: [ReceivedMessage] { lock.withLock { received } }

    private func append(line: String) {
        lock.withLock {
            received.append(ReceivedMessage(line: line, sequence: received.count))
        }
    }

    // MARK: Sending

    /// Writes one line (a newline is added).
    func send(_ line: String) throws {
        try sendBytes(Data((line + "\n").utf8))
    }

    /// Writes bytes as they are.
    func sendBytes(_ data: Data) throws {
        do {
            try input.write(contentsOf: data)
        } catch {
            throw IntegrationFailure("cannot write to the proxy's stdin (\(error)); did it exit? stderr:\n\(standardErrorTail)")
        }
    }

    /// A fresh integer id, as JSON text.
    func freshID() -> String {
        lock.withLock {
            nextID += 1
            return String(nextID)
        }
    }

    /// Sends a request; `id` and `params` are JSON text. Returns the id text.
    @discardableResult
    func sendRequest(_ method: String, params: String? = nil, id: String? = nil) throws -> String {
        let idText = id ?? freshID()
        var line = #"{"jsonrpc":"2.0","id":\#(idText),"method":"\#(method)""#
        if let params { line += #","params":\#(params)"# }
        try send(line + "}")
        return idText
    }

    /// Sends a notification; `params` is JSON text.
    func sendNotification(_ method: String, params: String? = nil) throws {
        var line = #"{"jsonrpc":"2.0","method":"\#(method)""#
        if let params { line += #","params":\#(params)"# }
        try send(line + "}")
    }

    /// Sends a request and waits for its response.
    func call(_ method: String, params: String? = nil, id: String? = nil, timeout: Duration = defaultTimeout) async throws -> ReceivedMessage {
        let idText = try sendRequest(method, params: params, id: id)
        return try await response(to: idText, timeout: timeout)
    }

    /// `tools/call` of `name` with `arguments` (JSON text), waiting for the response.
    func callTool(_ name: String, arguments: String = "{}", id: String? = nil, timeout: Duration = defaultTimeout) async throws -> ReceivedMessage {
        try await call("tools/call", params: #"{"name":"\#(name)","arguments":\#(arguments)}"#, id: id, timeout: timeout)
    }

    /// Sends `initialize` (and then `notifications/initialized`) and returns the response.
    @discardableResult
    func initialize(version: String = "2025-11-25", capabilities: String = "{}") async throws -> ReceivedMessage {
        let params = #"{"protocolVersion":"\#(version)","capabilities":\#(capabilities),"clientInfo":{"name":"integration-tests","version":"1.0"}}"#
        let response = try await call("initialize", params: params)
        guard response.result != nil else {
            throw IntegrationFailure("initialize failed: \(response.line)")
        }
        try sendNotification("notifications/initialized")
        return response
    }

    // MARK: Waiting

    /// Waits for the first unconsumed message matching `predicate`, consumes and returns it.
    func waitFor(
        _ what: String,
        timeout: Duration = defaultTimeout,
        where predicate: (ReceivedMessage) -> Bool
    ) async throws -> ReceivedMessage {
        let deadline = ContinuousClock.now + timeout
        while true {
            let (match, closed) = lock.withLock { () -> (ReceivedMessage?, Bool) in
                guard let hit = received.first(where: { !consumed.contains($0.sequence) && predicate($0) }) else {
                    return (nil, stdoutClosed)
                }
                consumed.insert(hit.sequence)
                return (hit, stdoutClosed)
            }
            if let match { return match }
            if closed && !process.isRunning {
                throw IntegrationFailure("waiting for \(what): the proxy exited (status \(process.terminationStatus)) first.\n\(diagnostics)")
            }
            if ContinuousClock.now >= deadline {
                throw IntegrationFailure("waiting for \(what): nothing matching within \(timeout).\n\(diagnostics)")
            }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    /// The response whose id token is exactly `idText`.
    func response(to idText: String, timeout: Duration = defaultTimeout) async throws -> ReceivedMessage {
        try await waitFor("the response to id \(idText)", timeout: timeout) { $0.isResponse && $0.idText == idText }
    }

    /// The next notification of `method` (matching `predicate`).
    func notification(_ method: String, timeout: Duration = defaultTimeout, where predicate: (ReceivedMessage) -> Bool = { _ in true }) async throws -> ReceivedMessage {
        try await waitFor("a \(method) notification", timeout: timeout) { $0.isNotification && $0.method == method && predicate($0) }
    }

    /// The next request of `method` the proxy sends to the client.
    func serverRequest(_ method: String, timeout: Duration = defaultTimeout, where predicate: (ReceivedMessage) -> Bool = { _ in true }) async throws -> ReceivedMessage {
        try await waitFor("a \(method) request to the client", timeout: timeout) { $0.isRequest && $0.method == method && predicate($0) }
    }

    /// Messages received so far that match (consumed or not).
    func messages(where predicate: (ReceivedMessage) -> Bool) -> [ReceivedMessage] {
        lock.withLock { received.filter(predicate) }
    }

    /// Sends a ping and returns every message that arrived since `mark` up to and including its
    /// answer; stdout is ordered, so anything the proxy wrote for earlier input shows up here.
    func pingAndCollect(since mark: Int) async throws -> [ReceivedMessage] {
        let id = try sendRequest("ping")
        let pong = try await response(to: id, timeout: .seconds(5))
        return lock.withLock { received.filter { $0.sequence >= mark && $0.sequence <= pong.sequence } }
    }

    /// The sequence number the next received message will get.
    var mark: Int { lock.withLock { received.count } }

    // MARK: Ending

    /// Closes the proxy's stdin (the client leaves).
    func closeInput() {
        try? input.close()
    }

    /// Waits until the process exits; returns its status, or nil on timeout.
    func waitForExit(timeout: Duration) async -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            if ContinuousClock.now >= deadline { return nil }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return process.terminationStatus
    }

    /// Ends the proxy: closes stdin, waits briefly, then kills it.
    func stop() async {
        closeInput()
        if await waitForExit(timeout: .seconds(6)) == nil {
            kill(pid, SIGKILL)
            _ = await waitForExit(timeout: .seconds(5))
        }
    }

    /// The last lines of stderr.
    var standardErrorTail: String {
        standardError.split(separator: "\n", omittingEmptySubsequences: false).suffix(25).joined(separator: "\n")
    }

    /// What arrived and what was logged, for failure messages.
    var diagnostics: String {
        let lines = lock.withLock { received.suffix(20).map { "  [\($0.sequence)\(consumed.contains($0.sequence) ? "" : "*")] \($0.line.prefix(600))" } }
        return "Last messages from the proxy (* = not yet consumed):\n\(lines.joined(separator: "\n"))\nproxy stderr (tail):\n\(standardErrorTail)"
    }

    // MARK: Reading

    /// Reads `fd` on its own thread and hands over each line (without its newline).
    static func readLines(from fd: Int32, name: String, _ onLine: @escaping @Sendable (String) -> Void, atEnd: @escaping @Sendable () -> Void) {
        let thread = Thread {
            var pending: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 65536)
            while true {
                let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { break }
                pending.append(contentsOf: chunk[0..<count])
                while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    onLine(String(decoding: pending[..<newline], as: UTF8.self))
                    pending.removeSubrange(...newline)
                }
            }
            if !pending.isEmpty { onLine(String(decoding: pending, as: UTF8.self)) }
            atEnd()
        }
        thread.name = name
        thread.start()
    }
}
