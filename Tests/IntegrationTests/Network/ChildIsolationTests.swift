import Foundation
import JSONRPC
import XCTest

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a stdio upstream of `mcp-proxy serve` can reach of the proxy (issue 17): only its own
/// stdin, stdout and stderr, never the proxy's listeners or other clients' connections; and it
/// does not outlive a proxy killed with SIGKILL.
final class ChildIsolationTests: NetworkTestCase {
    private static let initializeBody =
        #"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}"#

    /// A config with one stdio upstream `st` (example-server with `arguments`) and optional YAML
    /// lines for its entry.
    private func config(arguments: [String] = [], entry: [String] = []) -> String {
        var lines = [
            "mcpServers:",
            "  st:",
            "    command: \(ConfigFile.quote(Binaries.exampleServer))",
            "    args: [\((["--name", "st"] + arguments).map(ConfigFile.quote).joined(separator: ", "))]",
        ]
        lines += entry.map { "    " + $0 }
        lines += ["proxy:", "  listen:", "    drainSeconds: 1"]   // tearDown's SIGTERM need not wait for open streams
        return lines.joined(separator: "\n") + "\n"
    }

    /// Initializes a Streamable HTTP session with raw HTTP; returns its Mcp-Session-Id.
    private func rawInitialize(port: Int) throws -> String {
        let response = try RawHTTP.request("POST", port: port, path: "/mcp", headers: RawHTTP.mcpHeaders(version: nil), body: Self.initializeBody)
        guard response.status == 200, let session = response.head.header("mcp-session-id") else {
            throw IntegrationFailure("raw initialize: expected 200 with Mcp-Session-Id, got \(response)")
        }
        let status = try postStatus(port: port, path: "/mcp", headers: RawHTTP.mcpHeaders(session: session),
                                    body: #"{"jsonrpc":"2.0","method":"notifications/initialized"}"#)
        XCTAssertEqual(status, 202, "notifications/initialized")
        return session
    }

    /// POSTs `body` and returns the status without waiting for a body (a 202 has none).
    private func postStatus(port: Int, path: String, headers: [(String, String)], body: String) throws -> Int {
        let connection = try RawHTTPConnection(port: port)
        defer { connection.close() }
        connection.sendRequest("POST", path, headers: headers, body: Array(body.utf8), port: port)
        return try connection.readHead().status
    }

    private func echo(port: Int, session: String, text: String) throws -> RawHTTPResponse {
        try RawHTTP.request("POST", port: port, path: "/mcp", headers: RawHTTP.mcpHeaders(session: session),
                            body: #"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"st__echo","arguments":{"text":"\#(text)"}}}"#)
    }

    /// The example-server children of the proxy.
    private func upstreamChildren(of serve: ServeProcess) -> [ProcessTable.Entry] {
        ProcessTable.children(of: serve.process.pid).filter { $0.name.hasPrefix("example-server") }
    }

    /// `fd -> target` for every open descriptor of `pid`.
    private func descriptors(of pid: Int32) -> [Int: String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")) ?? []
        var result: [Int: String] = [:]
        for name in names {
            guard let fd = Int(name) else { continue }
            result[fd] = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\(name)")) ?? "?"
        }
        return result
    }

    // MARK: Descriptors

    func testUpstreamChildrenHoldOnlyTheirStandardDescriptorsWhileClientsAreConnected() async throws {
        let directory = try makeDirectory()
        // Each upstream writes what it inherited to fds-<pid>.txt before it opens anything itself.
        // Per-session mode, so that a child starts while the first session's streams are open.
        let serve = try await startServe(config(arguments: ["--report-inherited-fds", directory.path], entry: ["pool: { mode: perSession }"]), in: directory)
        // A Streamable HTTP session with its GET stream open, and a legacy SSE stream.
        let first = try rawInitialize(port: serve.port)
        let stream = try RawHTTPConnection(port: serve.port)
        defer { stream.close() }
        stream.sendRequest("GET", "/mcp", headers: [("Accept", "text/event-stream"), ("Mcp-Session-Id", first), ("MCP-Protocol-Version", "2025-11-25")], port: serve.port)
        XCTAssertEqual(try stream.readHead().status, 200)
        let legacy = try RawHTTPConnection(port: serve.port)
        defer { legacy.close() }
        legacy.sendRequest("GET", "/sse", headers: [("Accept", "text/event-stream")], port: serve.port)
        XCTAssertEqual(try legacy.readHead().status, 200)
        XCTAssertNotNil(try legacy.nextEvent(), "the legacy stream's endpoint event")
        // A second session starts its upstream while all of the above (and the admin listener) are open.
        let second = try rawInitialize(port: serve.port)
        for session in [first, second] {
            let answer = try echo(port: serve.port, session: session, text: "fds")
            XCTAssertEqual(answer.status, 200, "\(answer)")
        }
        let proxyDescriptors = descriptors(of: serve.process.pid)
        XCTAssertGreaterThanOrEqual(proxyDescriptors.values.filter { $0.hasPrefix("socket:") }.count, 4,
                                    "the proxy holds listeners and connections: \(proxyDescriptors)")
        let children = upstreamChildren(of: serve)
        XCTAssertGreaterThanOrEqual(children.count, 2, "one upstream per session at least: \(children)")
        let proxySockets = Set(proxyDescriptors.values.filter { $0.hasPrefix("socket:") })
        for child in children {
            let report = try String(contentsOfFile: directory.path + "/fds-\(child.pid).txt", encoding: .utf8)
            let inherited = report.split(separator: "\n").map(String.init)
            XCTAssertEqual(inherited.map { $0.prefix { $0 != " " } }, ["0", "1", "2"], "upstream \(child) inherited:\n\(report)")
            XCTAssertTrue(inherited.allSatisfy { $0.contains("pipe:") }, "stdin, stdout and stderr are the proxy's pipes: \(inherited)")
            // And now, while it runs (its own epoll and eventfds aside): none of the proxy's sockets.
            let held = descriptors(of: child.pid)
            XCTAssertTrue(proxySockets.isDisjoint(with: held.values), "upstream \(child) holds proxy sockets: \(held.sorted { $0.key < $1.key })")
        }
    }

    // MARK: The sandbox from the config file

    func testSandboxSectionReachesTheChild() async throws {
        let directory = try makeDirectory()
        let serve = try await startServe(config(entry: [
            "sandbox:",
            "  envAllow: [\"PATH\"]",
            "  limits: { cpuSeconds: 3600, openFiles: 200, processes: 5000 }",
        ]), in: directory)
        let session = try rawInitialize(port: serve.port)
        XCTAssertEqual(try echo(port: serve.port, session: session, text: "sandboxed").status, 200)
        let child = try XCTUnwrap(upstreamChildren(of: serve).first)
        let limits = try String(contentsOfFile: "/proc/\(child.pid)/limits", encoding: .utf8)
        for (label, value) in [("Max cpu time", "3600"), ("Max open files", "200"), ("Max processes", "5000")] {
            let line = limits.split(separator: "\n").first { $0.hasPrefix(label) }.map(String.init) ?? ""
            XCTAssertEqual(line.dropFirst(label.count).split(separator: " ").prefix(2).map(String.init), [value, value], limits)
        }
        let status = try String(contentsOfFile: "/proc/\(child.pid)/status", encoding: .utf8)
        XCTAssertTrue(status.contains("NoNewPrivs:\t1"), status)
        let environment = (try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(child.pid)/environ"))) ?? Data()
        let names = environment.split(separator: 0).compactMap { String(decoding: $0, as: UTF8.self).split(separator: "=").first.map(String.init) }
        XCTAssertEqual(names, ["PATH"], "envAllow [PATH] passes only PATH")
    }

    // MARK: kill -9 of the proxy

    func testNoUpstreamSurvivesSigkillOfTheProxyAndThePortIsFreeAtOnce() async throws {
        let directory = try makeDirectory()
        let serve = try await startServe(config(arguments: ["--ignore-eof-and-sigterm"]), in: directory)
        let session = try rawInitialize(port: serve.port)
        XCTAssertEqual(try echo(port: serve.port, session: session, text: "stubborn").status, 200)
        let children = upstreamChildren(of: serve)
        XCTAssertFalse(children.isEmpty, "the stdio upstream runs as a child of the proxy")

        kill(serve.process.pid, SIGKILL)
        _ = await serve.process.waitForExit(timeout: .seconds(5))
        let deadline = ContinuousClock.now + .seconds(5)
        var survivors = children.filter { ProcessTable.isAlive($0.pid) }
        while !survivors.isEmpty && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
            survivors = survivors.filter { ProcessTable.isAlive($0.pid) }
        }
        let survivorDescriptors = survivors.map { "\($0): \(descriptors(of: $0.pid).sorted { $0.key < $1.key })" }
        for survivor in survivors { kill(survivor.pid, SIGKILL) }
        XCTAssertEqual(survivors.map(\.pid), [], "upstreams alive 5 s after kill -9 of the proxy: \(survivorDescriptors)")
        XCTAssertEqual(bindAndListen(port: serve.port), 0, "the front port can be bound again at once (errno)")
    }

    /// Binds 127.0.0.1:`port` the way a new proxy would (SO_REUSEADDR) and listens; 0 or the errno.
    private func bindAndListen(port: Int) -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return errno }
        defer { close(fd) }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 8) == 0 else { return errno }
        return 0
    }

    // MARK: A cut-off SSE client

    func testSSEClientCutOffByTheProxySeesItsConnectionClose() async throws {
        let directory = try makeDirectory()
        let serve = try await startServe(config(), in: directory)
        let stalled = try StalledSSEClient(port: serve.port)
        defer { stalled.close() }
        let messagesPath = try stalled.openLegacyStream()
        let post: (String) throws -> Int = { [self] body in
            try postStatus(port: serve.port, path: messagesPath, headers: [("Content-Type", "application/json")], body: body)
        }
        XCTAssertEqual(try post(Self.initializeBody), 202)
        XCTAssertEqual(try post(#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#), 202)
        // Another client's session starts its own upstream while the stalled connection is open.
        // That upstream outlives the stalled client's session: if it had inherited the
        // connection, the connection would stay open after the proxy closed its own descriptor.
        let other = try rawInitialize(port: serve.port)
        XCTAssertEqual(try echo(port: serve.port, session: other, text: "other").status, 200)
        try await Task.sleep(for: .milliseconds(300))
        // 12 answers of 2 MB each for a client that reads nothing: past the stream's queue limit
        // (8 MiB by default) plus what the kernel buffers, so the proxy cuts the stream off.
        for index in 0..<12 {
            guard let status = try? post(#"{"jsonrpc":"2.0","id":\#(index + 10),"method":"tools/call","params":{"name":"st__big","arguments":{"bytes":2000000}}}"#),
                  status == 202 else { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        // Read nothing until the proxy has given up on the client, then read what is buffered.
        _ = try await serve.process.waitForLog("(cutting off a client that stopped reading)", what: "the cut-off", timeout: .seconds(20))
        let outcome = stalled.drainUntilClosed(timeout: .seconds(10))
        XCTAssertTrue(outcome.closed, "the cut-off SSE connection must reach EOF; read \(outcome.bytes) bytes, then no EOF within 10 s. Upstreams: "
                      + upstreamChildren(of: serve).map { "\($0): \(descriptors(of: $0.pid).sorted { $0.key < $1.key })" }.joined(separator: "; "))
        XCTAssertLessThan(outcome.bytes, 24_000_000, "the proxy cut the stream off before all answers were sent")
    }
}

/// A legacy SSE client with a tiny receive buffer that reads the endpoint event and then stops
/// reading, so the proxy's queue for it fills up.
private final class StalledSSEClient {
    private var fd: Int32
    private let port: Int

    init(port: Int) throws {
        self.port = port
        signal(SIGPIPE, SIG_IGN)
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw IntegrationFailure("socket() failed: errno \(errno)") }
        var size: Int32 = 4096
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw IntegrationFailure("cannot connect to 127.0.0.1:\(port): errno \(errno)") }
    }

    func close() {
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
    }

    /// Sends GET /sse and reads up to the end of the `endpoint` event; returns its path.
    func openLegacyStream() throws -> String {
        let request = "GET /sse HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nAccept: text/event-stream\r\n\r\n"
        _ = request.withCString { write(fd, $0, strlen($0)) }
        var text = ""
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            var byte: UInt8 = 0
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, 1000) > 0 else { continue }
            guard read(fd, &byte, 1) == 1 else { break }
            text.append(Character(UnicodeScalar(byte)))
            // Read one byte at a time, so nothing after the endpoint event is consumed.
            if text.contains("event: endpoint"), text.hasSuffix("\n\n"), let line = text.split(separator: "\n").first(where: { $0.hasPrefix("data:") }) {
                return line.dropFirst(5).trimmingCharacters(in: .whitespacesAndNewlines)
            }
        }
        throw IntegrationFailure("no endpoint event on GET /sse; read: \(text)")
    }

    /// Reads everything until EOF or an error (closed), or until `timeout` has passed (SSE
    /// keep-alives would defeat an idle timeout on a stream nobody closed).
    func drainUntilClosed(timeout: Duration) -> (closed: Bool, bytes: Int) {
        var total = 0
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        let deadline = ContinuousClock.now + timeout
        while true {
            let remaining = deadline - ContinuousClock.now
            if remaining <= .zero { return (false, total) }
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, Int32(remaining.components.seconds * 1000 + remaining.components.attoseconds / 1_000_000_000_000_000 + 1))
            if ready < 0 && errno == EINTR { continue }
            if ready <= 0 { continue }
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { return (true, total) }
            total += count
        }
    }
}
