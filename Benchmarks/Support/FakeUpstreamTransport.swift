import JSONRPC
import MCPTransports
import NIOCore
import Synchronization

/// An upstream MCP server in memory. During the handshake it answers `initialize` and
/// `tools/list` (one tool, `echo`) from a task; once `answerCallsInline` is set, it answers every
/// message at once on the sending thread, without scanning it, so the measured cost is the proxy's.
public final class FakeUpstreamTransport: MessageTransport {
    /// Creates the fake; it answers once the proxy starts it.
    public init() {}

    /// "fast".
    public let name = "fast"
    private let scanner = JSONRPCScanner()
    private let sink = Mutex<(any MessageSink)?>(nil)
    private let inline = Atomic<Bool>(false)
    private static let resultPrefix: [UInt8] = Array(#"{"jsonrpc":"2.0","id":"#.utf8)
    private static let resultSuffix: [UInt8] = Array(#","result":{"content":[{"type":"text","text":"ok"}],"isError":false}}"#.utf8)
    private static let idKey: [UInt8] = Array(#""id":"#.utf8)

    /// From now on, answer every message inline as a successful `tools/call`.
    public func answerCallsInline() {
        inline.store(true, ordering: .releasing)
    }

    /// Keeps the proxy's sink for the answers.
    public func start(sink: any MessageSink) async throws(TransportError) {
        self.sink.withLock { $0 = sink }
    }

    /// Answers `message` (see the type's description).
    @discardableResult
    public func send(_ message: ByteBuffer) -> Bool {
        guard let sink = sink.withLock({ $0 }) else { return false }
        if inline.load(ordering: .acquiring) {
            sink.transportReceived(.message(Self.answer(to: message)))
            return true
        }
        guard let scanned = try? scanner.scanMessage(message), scanned.envelope.kind == .request,
              let idBytes = scanned.idBytes else { return true }
        let result: String = switch scanned.envelope.method {
        case .initialize?: #"{"protocolVersion":"2025-11-25","capabilities":{"tools":{}},"serverInfo":{"name":"fake-fast","version":"1.0.0"}}"#
        case .toolsList?: #"{"tools":[{"name":"echo","description":"Echo","inputSchema":{"type":"object"}}]}"#
        default: #"{"content":[{"type":"text","text":"ok"}],"isError":false}"#
        }
        let response = JSONRPCEncoder.result(idBytes: idBytes, result: Array(result.utf8))
        Task { sink.transportReceived(.message(response)) }
        return true
    }

    /// Forgets the proxy.
    public func close() async {
        sink.withLock { $0 = nil }
    }

    /// A result whose id is the number after the first `"id":` of `request`.
    public static func answer(to request: ByteBuffer) -> ByteBuffer {
        request.withUnsafeReadableBytes { bytes -> ByteBuffer in
            var digits = 0..<0
            if let start = firstIndex(of: idKey, in: bytes) {
                var end = start + idKey.count
                while end < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[end]) { end += 1 }
                digits = (start + idKey.count)..<end
            }
            var response = ByteBufferAllocator().buffer(capacity: resultPrefix.count + digits.count + resultSuffix.count)
            response.writeBytes(resultPrefix)
            response.writeBytes(UnsafeRawBufferPointer(rebasing: bytes[digits]))
            response.writeBytes(resultSuffix)
            return response
        }
    }

    private static func firstIndex(of needle: [UInt8], in bytes: UnsafeRawBufferPointer) -> Int? {
        guard bytes.count >= needle.count else { return nil }
        for index in 0...(bytes.count - needle.count) where bytes[index] == needle[0] {
            var matched = true
            for offset in 1..<needle.count where bytes[index + offset] != needle[offset] {
                matched = false
                break
            }
            if matched { return index }
        }
        return nil
    }
}
