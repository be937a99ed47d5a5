import JSONRPC
import Logging
import MCPProxy
import NIOConcurrencyHelpers

extension ProxyOptions {
    /// Options for unit tests: short drain so sessions end quickly, generous request timeout.
    static func testing(_ configure: (inout ProxyOptions) -> Void = { _ in }) -> ProxyOptions {
        var options = ProxyOptions(requestTimeout: .seconds(10), initializeTimeout: .seconds(5), drainTimeout: .milliseconds(50))
        configure(&options)
        return options
    }
}

/// One proxy session served over a `FakeClientTransport`, with fake upstreams.
final class ProxyHarness: Sendable {
    let client = FakeClientTransport()
    let proxy: MCPProxy
    private let serveFinished = NIOLockedValueBox(false)
    private let nextID = NIOLockedValueBox(1000)

    /// Builds the proxy under test from the fakes' definitions, the options and a silent logger.
    typealias ProxyFactory = @Sendable ([UpstreamDefinition], ProxyOptions, Logger) -> MCPProxy

    private init(upstreams: [FakeUpstream], options: ProxyOptions, make: ProxyFactory?) {
        let logger = Logger(label: "mcp-proxy-unit-tests", factory: { _ in SwiftLogNoOpLogHandler() })
        let definitions = upstreams.map(\.definition)
        proxy = make?(definitions, options, logger) ?? MCPProxy(upstreams: definitions, options: options, logger: logger)
    }

    private init(proxy: MCPProxy) {
        self.proxy = proxy
    }

    /// Another client session on the same proxy (and so on the same shared upstream sessions).
    func anotherClient(principal: Principal? = nil) async throws -> ProxyHarness {
        let other = ProxyHarness(proxy: proxy)
        Task { [other] in
            try? await other.proxy.serve(other.client, principal: principal)
            other.serveFinished.withLockedValue { $0 = true }
        }
        try await eventually("the proxy to start reading from the second client") { other.client.isStarted }
        return other
    }

    /// Starts serving the fake client as `principal` (nil: the transport's, anonymous); returns
    /// once the proxy reads from it.
    static func start(_ upstreams: [FakeUpstream], options: ProxyOptions = .testing(), principal: Principal? = nil,
                      make: ProxyFactory? = nil) async throws -> ProxyHarness {
        let harness = ProxyHarness(upstreams: upstreams, options: options, make: make)
        Task { [harness] in
            try? await harness.proxy.serve(harness.client, principal: principal)
            harness.serveFinished.withLockedValue { $0 = true }
        }
        try await eventually("the proxy to start reading from the client") { harness.client.isStarted }
        return harness
    }

    /// Ends the session and waits for `serve` to return; false if it did not return in time.
    @discardableResult
    func stop() async -> Bool {
        client.disconnect()
        return (try? await eventually("serve to return", timeout: .seconds(5)) { serveFinished.withLockedValue { $0 } }) != nil
    }

    var isFinished: Bool { serveFinished.withLockedValue { $0 } }

    /// A fresh integer id (as JSON text) for a client request.
    func freshID() -> String {
        nextID.withLockedValue { id in
            id += 1
            return String(id)
        }
    }

    /// Sends `initialize` and waits for its answer.
    @discardableResult
    func initialize(capabilities: String = "{}", version: String = "2025-11-25", id: String = "0") async throws -> WireMessage {
        client.push(Self.initializeRequest(id: id, capabilities: capabilities, version: version))
        let response = try await client.response(to: try JSONValue(parsing: Array(id.utf8)))
        client.push(#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#)
        return response
    }

    static func initializeRequest(id: String, capabilities: String = "{}", version: String = "2025-11-25") -> String {
        #"{"jsonrpc":"2.0","id":\#(id),"method":"initialize","params":{"protocolVersion":"\#(version)","capabilities":\#(capabilities),"clientInfo":{"name":"unit-test","version":"1.0"}}}"#
    }

    /// Sends a request with a fresh id (or `id`, JSON text) and waits for its response.
    @discardableResult
    func request(_ method: String, params: String? = nil, id: String? = nil, timeout: Duration = .seconds(5)) async throws -> WireMessage {
        let id = id ?? freshID()
        client.push(Self.requestText(method, params: params, id: id))
        return try await client.response(to: try JSONValue(parsing: Array(id.utf8)), timeout: timeout)
    }

    static func requestText(_ method: String, params: String? = nil, id: String) -> String {
        let paramsPart = params.map { #","params":\#($0)"# } ?? ""
        return #"{"jsonrpc":"2.0","id":\#(id),"method":"\#(method)"\#(paramsPart)}"#
    }

    /// The names (or `key` values) of every item of a merged list, following the proxy's cursors.
    func listAll(_ method: String, key: String, field: String = "name") async throws -> [String] {
        var names: [String] = []
        var cursor: String?
        for _ in 0..<50 {
            let params = cursor.map { #"{"cursor":"\#($0)"}"# }
            let response = try await request(method, params: params)
            guard let result = response.result else { throw TestFailure("expected a result for \(method), got \(response.raw)") }
            names += result[key]?.arrayValue.compactMap { $0[field]?.stringValue } ?? []
            cursor = result["nextCursor"]?.stringValue
            if cursor == nil { return names }
        }
        return names
    }
}

/// Runs `body` against a served proxy session and always ends the session afterwards.
func withProxy(
    _ upstreams: [FakeUpstream],
    options: ProxyOptions = .testing(),
    principal: Principal? = nil,
    make: ProxyHarness.ProxyFactory? = nil,
    _ body: (ProxyHarness) async throws -> Void
) async throws {
    let harness = try await ProxyHarness.start(upstreams, options: options, principal: principal, make: make)
    do {
        try await body(harness)
    } catch {
        await harness.stop()
        await harness.proxy.shutdown()
        throw error
    }
    let stopped = await harness.stop()
    await harness.proxy.shutdown()
    guard stopped else {
        throw TestFailure("serve did not return within 5 s after the client disconnected")
    }
}
