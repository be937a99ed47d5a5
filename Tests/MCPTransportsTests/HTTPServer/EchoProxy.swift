import JSONRPC
import MCPTransports
import NIOConcurrencyHelpers
import NIOCore

/// A tiny stand-in for the proxy: serves every session the front hands it.
///
/// - `initialize` is answered with the protocol version the client asked for;
/// - `tools/call` by tool name: `echo` answers at once, `notify-first` sends a related
///   notification first, `progress` sends progress for the request's token first, `broadcast`
///   sends an unrelated notification first, `hold` is not answered (the test drives it);
/// - any other request gets an empty result; a batch gets an array of results.
final class EchoProxy: Sendable {
    private let sessions = NIOLockedValueBox<[EchoSession]>([])

    /// The `onSession` callback for `HTTPFrontServer.start`.
    var onSession: @Sendable (HTTPFrontSession) -> Void {
        { [self] front in
            let session = EchoSession(front: front)
            sessions.withLockedValue { $0.append(session) }
            Task { try await front.transport.start(sink: session) }
        }
    }

    var count: Int { sessions.withLockedValue { $0.count } }

    /// The `index`-th session, once it exists.
    func session(_ index: Int = 0, timeout: Duration = .seconds(5)) async throws -> EchoSession {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let session = sessions.withLockedValue({ $0.count > index ? $0[index] : nil }) { return session }
            try await Task.sleep(for: .milliseconds(5))
        }
        throw RawClientError.timedOut("session \(index) to reach the proxy")
    }
}

/// One session of the echo proxy: records what arrived and answers.
final class EchoSession: MessageSink {
    private struct State {
        var received: [String] = []
        var held: [JSONRPCID] = []
        var closed: TransportCloseReason?
        var closeCount = 0
    }

    let front: HTTPFrontSession
    private let state = NIOLockedValueBox(State())
    private let scanner = JSONRPCScanner()

    init(front: HTTPFrontSession) {
        self.front = front
    }

    var transport: any MessageTransport { front.transport }
    var received: [String] { state.withLockedValue { $0.received } }
    var held: [JSONRPCID] { state.withLockedValue { $0.held } }
    var closeReason: TransportCloseReason? { state.withLockedValue { $0.closed } }
    var closeCount: Int { state.withLockedValue { $0.closeCount } }

    func transportReceived(_ frame: InboundFrame) {
        guard case .message(let bytes) = frame else { return }
        state.withLockedValue { $0.received.append(String(buffer: bytes)) }
        guard let scanned = try? scanner.scan(bytes) else { return }
        switch scanned {
        case .single(let message):
            if let answer = answer(message) { transport.send(answer) }
        case .batch(let elements):
            let answers = elements.compactMap { element -> ByteBuffer? in
                guard case .success(let message) = element else { return nil }
                return answer(message)
            }
            guard !answers.isEmpty else { return }
            var out = ByteBuffer(string: "[")
            for (index, var answer) in answers.enumerated() {
                if index > 0 { out.writeString(",") }
                out.writeBuffer(&answer)
            }
            out.writeString("]")
            transport.send(out)
        }
    }

    func transportClosed(_ reason: TransportCloseReason) {
        state.withLockedValue {
            $0.closed = reason
            $0.closeCount += 1
        }
    }

    /// The response to a request (after sending whatever the tool asks for first), or nil.
    private func answer(_ message: JSONRPCMessage) -> ByteBuffer? {
        guard message.envelope.kind == .request, let id = message.envelope.id, let idBytes = message.idBytes else { return nil }
        switch message.envelope.method {
        case .initialize:
            let requested = message.envelope.paramsRange.flatMap { JSONView(message: message, range: $0)["protocolVersion"]?.string }
            let version = requested ?? "2025-11-25"
            if version == "refuse" {
                return JSONRPCEncoder.errorResponse(idBytes: idBytes, code: .invalidParams, message: "unsupported protocol version")
            }
            return JSONRPCEncoder.result(
                idBytes: idBytes,
                result: Array(#"{"protocolVersion":"\#(version)","capabilities":{"tools":{}},"serverInfo":{"name":"echo","version":"1"}}"#.utf8))
        case .toolsCall:
            switch message.envelope.name {
            case "notify-first":
                transport.send(Self.logMessage("working on it"), relatedTo: id)
            case "progress":
                if let token = message.envelope.progressToken {
                    transport.send(
                        JSONRPCEncoder.notification(
                            method: "notifications/progress", params: Array(#"{"progressToken":\#(token.description),"progress":1}"#.utf8)))
                }
            case "broadcast":
                transport.send(JSONRPCEncoder.notification(method: "notifications/tools/list_changed", params: nil))
            case "hold":
                state.withLockedValue { $0.held.append(id) }
                return nil
            default:
                break
            }
            return Self.toolResult(idBytes: idBytes, text: message.envelope.name ?? "")
        default:
            return JSONRPCEncoder.result(idBytes: idBytes, result: Array("{}".utf8))
        }
    }

    static func logMessage(_ text: String) -> ByteBuffer {
        JSONRPCEncoder.notification(method: "notifications/message", params: Array(#"{"level":"info","data":"\#(text)"}"#.utf8))
    }

    static func toolResult(idBytes: [UInt8], text: String) -> ByteBuffer {
        JSONRPCEncoder.result(idBytes: idBytes, result: Array(#"{"content":[{"type":"text","text":"\#(text)"}]}"#.utf8))
    }

    /// Polls until `condition` holds.
    func wait(timeout: Duration = .seconds(5), until condition: (EchoSession) -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if condition(self) { return true }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return condition(self)
    }
}
