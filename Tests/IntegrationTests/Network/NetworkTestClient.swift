import Foundation
import JSONRPC
import Logging
import MCPTransports
import NIOConcurrencyHelpers
import NIOCore

/// An MCP client for tests on top of one of the project's client transports: sends requests,
/// waits for their responses with a deadline, and answers `sampling/createMessage` with "pong".
final class NetworkTestClient: MessageSink, @unchecked Sendable {
    // @unchecked: mutable state is behind `lock`.
    let label: String
    let transport: any MessageTransport
    private let lock = NIOLock()
    private var received: [ReceivedMessage] = []
    private var closedReason: TransportCloseReason?
    private var nextID = 0
    /// What the client's "model" answers to sampling requests.
    let samplingReply: String

    init(label: String, transport: any MessageTransport, samplingReply: String = "pong") {
        self.label = label
        self.transport = transport
        self.samplingReply = samplingReply
    }

    static var quietLogger: Logger {
        Logger(label: "network-tests", factory: { _ in SwiftLogNoOpLogHandler() })
    }

    /// A client of the front at `url` of `kind`.
    static func remote(_ label: String, url: String, kind: RemoteUpstreamConfiguration.Kind) -> NetworkTestClient {
        let configuration = RemoteUpstreamConfiguration(url: url, kind: kind, requestTimeout: .seconds(30), connectTimeout: .seconds(5))
        return NetworkTestClient(label: label, transport: RemoteUpstreamTransport.make(name: label, configuration: configuration, logger: quietLogger))
    }

    /// A client of `mcp-proxy --config <path>` over stdio.
    static func stdio(_ label: String, configPath: String) -> NetworkTestClient {
        let configuration = StdioProcessConfiguration(command: Binaries.proxy, arguments: ["--config", configPath], shutdownGrace: .seconds(2))
        return NetworkTestClient(label: label, transport: StdioProcessTransport(name: label, configuration: configuration, logger: quietLogger))
    }

    // MARK: MessageSink

    func transportReceived(_ frame: InboundFrame) {
        guard case .message(let buffer) = frame else { return }
        let line = String(buffer: buffer)
        let message = lock.withLock { () -> ReceivedMessage in
            let message = ReceivedMessage(line: line, sequence: received.count)
            received.append(message)
            return message
        }
        if message.isRequest, message.method == "sampling/createMessage", let id = message.idText {
            let reply = #"{"jsonrpc":"2.0","id":\#(id),"result":{"role":"assistant","content":{"type":"text","text":"\#(samplingReply)"},"model":"test-model","stopReason":"endTurn"}}"#
            transport.send(ByteBuffer(string: reply))
        } else if message.isRequest, let id = message.idText {
            transport.send(ByteBuffer(string: #"{"jsonrpc":"2.0","id":\#(id),"error":{"code":-32601,"message":"test client does not handle this"}}"#))
        }
    }

    func transportClosed(_ reason: TransportCloseReason) {
        lock.withLock { closedReason = reason }
    }

    // MARK: Requests

    var messages: [ReceivedMessage] { lock.withLock { received } }

    func start() async throws {
        do {
            try await transport.start(sink: self)
        } catch {
            throw IntegrationFailure("[\(label)] transport did not start: \(error)")
        }
    }

    func send(_ text: String) throws {
        guard transport.send(ByteBuffer(string: text)) else {
            throw IntegrationFailure("[\(label)] the transport refused a message (closed: \(String(describing: lock.withLock { closedReason })))")
        }
    }

    /// Sends a request; returns its response (result or error).
    func call(_ method: String, params: String? = nil, timeout: Duration = .seconds(15)) async throws -> ReceivedMessage {
        let id = lock.withLock { () -> String in
            nextID += 1
            return #""\#(label)-\#(nextID)""#
        }
        var text = #"{"jsonrpc":"2.0","id":\#(id),"method":"\#(method)""#
        if let params { text += #","params":\#(params)"# }
        try send(text + "}")
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let hit = lock.withLock({ received.first { $0.isResponse && $0.idText == id } }) { return hit }
            if let reason = lock.withLock({ closedReason }) {
                throw IntegrationFailure("[\(label)] transport closed (\(reason)) while waiting for \(method)")
            }
            try await Task.sleep(for: .milliseconds(5))
        }
        let seen = messages.suffix(10).map(\.line).joined(separator: "\n")
        throw IntegrationFailure("[\(label)] no response to \(method) \(params ?? "") within \(timeout); last messages:\n\(seen)")
    }

    /// initialize (declaring sampling) and notifications/initialized.
    @discardableResult
    func initialize() async throws -> ReceivedMessage {
        try await start()
        let response = try await call("initialize", params: #"{"protocolVersion":"2025-11-25","capabilities":{"sampling":{}},"clientInfo":{"name":"network-tests","version":"1"}}"#)
        guard response.result != nil else { throw IntegrationFailure("[\(label)] initialize failed: \(response.line)") }
        try send(#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#)
        return response
    }

    /// tools/call; returns the response.
    func callTool(_ name: String, arguments: String) async throws -> ReceivedMessage {
        try await call("tools/call", params: #"{"name":"\#(name)","arguments":\#(arguments)}"#)
    }

    func close() async {
        await transport.close()
    }
}
