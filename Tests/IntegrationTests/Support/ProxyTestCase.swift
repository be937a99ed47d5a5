import Foundation
import JSONRPC
import XCTest

/// Base class: starts proxies from configs, and stops them and removes their files afterwards.
class ProxyTestCase: XCTestCase {
    private var proxies: [ProxyProcess] = []
    private var directories: [TemporaryDirectory] = []

    /// The 13 tools of the example server, in its order.
    static let exampleTools = [
        "echo", "add", "progress", "slow", "sample", "elicit", "roots", "fail", "crash", "bump", "log", "toggle_extra", "big",
    ]

    /// The instructions each example server sends.
    static func exampleInstructions(_ name: String) -> String {
        "Example server '\(name)': echo, add, progress, slow, sample, elicit, roots, fail, crash, bump, log."
    }

    override func tearDown() async throws {
        for proxy in proxies { await proxy.stop() }
        proxies.removeAll()
        for directory in directories { directory.remove() }
        directories.removeAll()
        try await super.tearDown()
    }

    /// A temporary directory removed after the test.
    func makeDirectory() throws -> TemporaryDirectory {
        let directory = try TemporaryDirectory()
        directories.append(directory)
        return directory
    }

    /// Writes `config` and starts `mcp-proxy --config` on it.
    func startProxy(_ config: ConfigFile, arguments: [String] = [], in directory: TemporaryDirectory? = nil) throws -> ProxyProcess {
        let place = try directory ?? makeDirectory()
        let path = try place.write("proxy.yaml", config.text)
        let proxy = try ProxyProcess(configPath: path, arguments: arguments)
        proxies.append(proxy)
        return proxy
    }

    /// Starts a proxy and completes the handshake.
    func startInitialized(
        _ config: ConfigFile = .alphaBeta(),
        version: String = "2025-11-25",
        capabilities: String = "{}",
        arguments: [String] = [],
        in directory: TemporaryDirectory? = nil
    ) async throws -> ProxyProcess {
        let proxy = try startProxy(config, arguments: arguments, in: directory)
        try await proxy.initialize(version: version, capabilities: capabilities)
        return proxy
    }

    /// Follows `nextCursor` of `tools/list` to the end; returns the tool names in order and the page sizes.
    func listAllTools(_ proxy: ProxyProcess) async throws -> (names: [String], pages: [Int]) {
        var names: [String] = []
        var pages: [Int] = []
        var cursor: String?
        for _ in 0..<100 {
            let params = cursor.map { #"{"cursor":\#(String(decoding: JSONValue.string($0).encoded, as: UTF8.self))}"# }
            let response = try await proxy.call("tools/list", params: params)
            guard let tools = response.result?["tools"]?.arrayValue else {
                throw IntegrationFailure("tools/list answered without a tools array: \(response.line)")
            }
            names += tools.compactMap { $0["name"]?.stringValue }
            pages.append(tools.count)
            cursor = response.result?["nextCursor"]?.stringValue
            if cursor == nil { return (names, pages) }
        }
        throw IntegrationFailure("tools/list did not end after 100 pages")
    }

    /// Parses JSON text for comparisons.
    func json(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> JSONValue {
        do {
            return try JSONValue(parsing: Array(text.utf8))
        } catch {
            XCTFail("bad JSON in the test itself: \(error): \(text)", file: file, line: line)
            return .null
        }
    }

    /// Asserts that a ping is still answered (the proxy keeps serving).
    func assertStillServing(_ proxy: ProxyProcess, after what: String, file: StaticString = #filePath, line: UInt = #line) async throws {
        let response = try await proxy.call("ping", timeout: .seconds(5))
        XCTAssertEqual(response.result, .object([:]), "ping after \(what)", file: file, line: line)
    }

    /// Waits until `path` holds a line that contains `needle`; returns that line.
    func waitForLine(in path: String, containing needle: String, timeout: Duration = .seconds(5)) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let text = try? String(contentsOfFile: path, encoding: .utf8),
               let line = text.split(separator: "\n").first(where: { $0.contains(needle) }) {
                return String(line)
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? "(missing)"
        throw IntegrationFailure("no line containing \(needle) in \(path) within \(timeout); it holds:\n\(text.suffix(2000))")
    }
}
