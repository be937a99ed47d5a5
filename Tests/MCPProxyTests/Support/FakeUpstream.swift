import JSONRPC
import MCPProxy
import MCPRouting
import NIOConcurrencyHelpers

/// An in-memory upstream MCP server whose behaviour the test scripts.
///
/// It answers `initialize` with the configured result, `ping` with `{}`, and list methods from
/// pages set with `setList`; other requests go to handlers set with `on`, and without one get
/// -32601. Every message the proxy sends it is recorded in `received`, in order.
final class FakeUpstream: Sendable {
    /// What the server does with one request.
    indirect enum Reply: Sendable {
        /// Answers with this result (JSON text).
        case result(String)
        /// Answers with a JSON-RPC error.
        case error(code: Int, message: String)
        /// Answers with this result after a delay, without holding up later messages.
        case delayed(Duration, Reply)
        /// Never answers.
        case none
    }

    /// Decides the reply to a request: the request, and how many requests of that method came so far (1-based).
    typealias Handler = @Sendable (WireMessage, Int) -> Reply

    let name: String
    let startup: UpstreamStartup
    let namespace: NamespaceStyle?

    private struct State {
        var initializeResult: String
        var handlers: [String: Handler] = [:]
        var lists: [String: (key: String, pages: [[String]])] = [:]
        var received: [WireMessage] = []
        var methodCounts: [String: Int] = [:]
        var transports: [FakeUpstreamTransport] = []
    }

    private let state: NIOLockedValueBox<State>

    /// - Parameters:
    ///   - capabilities: the server's `capabilities` object, as JSON text.
    ///   - instructions: its `instructions`, if any.
    ///   - protocolVersion: the version it answers `initialize` with.
    init(
        _ name: String,
        startup: UpstreamStartup = .eager,
        namespace: NamespaceStyle? = nil,
        capabilities: String = #"{"tools":{"listChanged":true}}"#,
        instructions: String? = nil,
        protocolVersion: String = "2025-11-25",
        policy: UpstreamPolicy = .isolated
    ) {
        self.policy = policy
        self.name = name
        self.startup = startup
        self.namespace = namespace
        var result = #"{"protocolVersion":"\#(protocolVersion)","capabilities":\#(capabilities),"serverInfo":{"name":"fake-\#(name)","version":"1.0"}"#
        if let instructions {
            result += #","instructions":"# + String(decoding: JSONString.encode(instructions), as: UTF8.self)
        }
        result += "}"
        state = NIOLockedValueBox(State(initializeResult: result))
    }

    /// How the proxy pools it. The default is the per-session mode (one upstream session per
    /// client session), whose semantics most suites test; the pool suites set a shared policy.
    let policy: UpstreamPolicy

    /// The definition to hand to `MCPProxy`; every start makes a fresh fake transport.
    var definition: UpstreamDefinition {
        UpstreamDefinition(name: name, namespace: namespace, startup: startup, policy: policy) { [self] in
            let transport = FakeUpstreamTransport(server: self)
            state.withLockedValue { $0.transports.append(transport) }
            return transport
        }
    }

    // MARK: Scripting

    /// Sets the handler for requests of `method` (replacing any default behaviour).
    func on(_ method: String, _ handler: @escaping Handler) {
        state.withLockedValue { $0.handlers[method] = handler }
    }

    /// Serves `method` (a list method) from `pages` of item objects (JSON text) under `key`.
    /// Page n > 0 is reached with the cursor "page-n".
    func setList(_ method: String, key: String, pages: [[String]]) {
        state.withLockedValue { $0.lists[method] = (key, pages) }
    }

    /// Serves `tools/list` with tools of these names, in one page.
    func setTools(_ names: [String]) {
        setList("tools/list", key: "tools", pages: [names.map(Self.tool)])
    }

    /// A tool object with this name.
    static func tool(_ name: String) -> String {
        #"{"name":"\#(name)","description":"the \#(name) tool","inputSchema":{"type":"object"}}"#
    }

    // MARK: Observing

    /// How many transports the proxy made (starts of this upstream).
    var transportsMade: Int { state.withLockedValue { $0.transports.count } }

    /// How many of its transports were closed (by the proxy or by dying).
    var transportsClosed: Int {
        state.withLockedValue { $0.transports }.filter(\.isClosed).count
    }

    /// Everything the proxy sent, in order.
    var received: [WireMessage] { state.withLockedValue { $0.received } }

    /// What the proxy sent with this method.
    func received(_ method: String) -> [WireMessage] {
        received.filter { $0.method == method }
    }

    /// The first message (in arrival order) matching `predicate`, waiting for it if needed.
    @discardableResult
    func waitFor(_ what: String, timeout: Duration = .seconds(5), where predicate: (WireMessage) -> Bool) async throws -> WireMessage {
        try await eventually("upstream '\(name)' to receive \(what); it has \(received.map(\.raw))", timeout: timeout) {
            received.first(where: predicate)
        }
    }

    /// Waits until the proxy sent `count` requests of `method`, and returns them.
    @discardableResult
    func waitForRequests(_ method: String, count: Int = 1, timeout: Duration = .seconds(5)) async throws -> [WireMessage] {
        try await eventually("upstream '\(name)' to receive \(count) \(method); it has \(received.map(\.raw))", timeout: timeout) {
            let matching = received(method).filter(\.isRequest)
            return matching.count >= count ? matching : nil
        }
    }

    /// The first request of `method` the proxy sent, waiting for it if needed.
    @discardableResult
    func firstRequest(_ method: String, timeout: Duration = .seconds(5)) async throws -> WireMessage {
        try await waitFor("a \(method) request", timeout: timeout) { $0.method == method && $0.isRequest }
    }

    // MARK: Acting

    /// Sends a message (JSON text) to the proxy over the newest transport.
    func send(_ text: String) {
        let transport = state.withLockedValue { $0.transports.last }
        transport?.deliver(text)
    }

    /// Answers a request the proxy sent, with a result (JSON text), by its id.
    func answer(_ request: WireMessage, result: String) {
        guard let id = request.id else { return }
        send(#"{"jsonrpc":"2.0","id":\#(id.text),"result":\#(result)}"#)
    }

    /// The process "exits": the transport reports it closed with status 1.
    func die(status: Int32 = 1) {
        let transport = state.withLockedValue { $0.transports.last }
        transport?.terminate(.processExited(status: status))
    }

    // MARK: Transport side

    /// Records a message the proxy sent; returns its per-method count.
    func record(_ message: WireMessage) -> Int {
        state.withLockedValue { state in
            state.received.append(message)
            guard let method = message.method else { return 0 }
            state.methodCounts[method, default: 0] += 1
            return state.methodCounts[method] ?? 0
        }
    }

    /// Runs the script for one message; called in arrival order.
    func handle(_ message: WireMessage, count: Int, transport: FakeUpstreamTransport) {
        guard message.isRequest, let method = message.method, let id = message.id else { return }
        let reply = reply(to: message, method: method, count: count)
        Self.perform(reply, id: id, transport: transport)
    }

    private func reply(to message: WireMessage, method: String, count: Int) -> Reply {
        let (handler, list, initializeResult) = state.withLockedValue { ($0.handlers[method], $0.lists[method], $0.initializeResult) }
        if let handler { return handler(message, count) }
        switch method {
        case "initialize":
            return .result(initializeResult)
        case "ping":
            return .result("{}")
        default:
            break
        }
        guard let list else { return .error(code: -32601, message: "fake '\(name)' has no handler for \(method)") }
        var pageIndex = 0
        if let cursor = message.params?["cursor"]?.stringValue {
            guard cursor.hasPrefix("page-"), let index = Int(cursor.dropFirst(5)), list.pages.indices.contains(index) else {
                return .error(code: -32602, message: "bad cursor")
            }
            pageIndex = index
        }
        let items = list.pages.isEmpty ? [] : list.pages[pageIndex]
        var result = #"{"\#(list.key)":[\#(items.joined(separator: ","))]"#
        if pageIndex + 1 < list.pages.count { result += #","nextCursor":"page-\#(pageIndex + 1)""# }
        return .result(result + "}")
    }

    private static func perform(_ reply: Reply, id: JSONValue, transport: FakeUpstreamTransport) {
        switch reply {
        case .result(let result):
            transport.deliver(#"{"jsonrpc":"2.0","id":\#(id.text),"result":\#(result)}"#)
        case .error(let code, let message):
            let text = String(decoding: JSONString.encode(message), as: UTF8.self)
            transport.deliver(#"{"jsonrpc":"2.0","id":\#(id.text),"error":{"code":\#(code),"message":\#(text)}}"#)
        case .delayed(let delay, let inner):
            Task {
                try? await Task.sleep(for: delay)
                perform(inner, id: id, transport: transport)
            }
        case .none:
            break
        }
    }
}
