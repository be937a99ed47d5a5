import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL

/// A complete HTTP response as the test client parsed it.
struct TestResponse {
    var status: Int
    var headers: [(name: String, value: String)]
    var body: [UInt8]

    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    var text: String { String(decoding: body, as: UTF8.self) }
}

/// One Server-Sent Event.
struct TestEvent: Equatable {
    var id: String?
    var event: String?
    var data: String
}

/// A WebSocket frame as the server sent it.
struct TestFrame {
    var fin: Bool
    var opcode: UInt8
    var payload: [UInt8]

    var text: String { String(decoding: payload, as: UTF8.self) }
}

enum RawClientError: Error, CustomStringConvertible {
    case timedOut(String)
    case closed(String)
    case malformed(String)

    var description: String {
        switch self {
        case .timedOut(let what): return "timed out waiting for \(what)"
        case .closed(let what): return "connection closed while waiting for \(what)"
        case .malformed(let what): return "malformed response: \(what)"
        }
    }
}

/// A deliberately small HTTP/1.1 client over a raw NIO socket (optionally TLS): the test writes
/// request bytes itself and parses responses, chunked event streams and WebSocket frames by hand,
/// so it sees exactly what the server put on the wire.
final class RawHTTPClient: Sendable {
    fileprivate struct Inbox {
        var bytes: [UInt8] = []
        var position = 0
        var closed = false
        /// Decoded body bytes of the event stream being read.
        var streamBody: [UInt8] = []
        var streaming = false
        var streamEnded = false
    }

    let channel: any Channel
    private let inbox: NIOLockedValueBox<Inbox>

    private init(channel: any Channel, inbox: NIOLockedValueBox<Inbox>) {
        self.channel = channel
        self.inbox = inbox
    }

    /// Connects to 127.0.0.1:`port`. With `autoRead: false` the client never reads (a stalled peer).
    static func connect(
        port: Int, tls: NIOSSLContext? = nil, autoRead: Bool = true, receiveBufferBytes: Int? = nil
    ) async throws -> RawHTTPClient {
        let inbox = NIOLockedValueBox(Inbox())
        var bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.autoRead, value: autoRead)
        if let receiveBufferBytes {
            bootstrap = bootstrap.channelOption(.socketOption(.so_rcvbuf), value: SocketOptionValue(receiveBufferBytes))
        }
        let channel = try await bootstrap
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: tls, serverHostname: "localhost"))
                    }
                    try channel.pipeline.syncOperations.addHandler(ByteCollector(inbox: inbox))
                }
            }
            .connect(host: "127.0.0.1", port: port)
            .get()
        return RawHTTPClient(channel: channel, inbox: inbox)
    }

    // MARK: Writing

    func write(_ text: String) async throws {
        try await write(bytes: Array(text.utf8))
    }

    func write(bytes: [UInt8]) async throws {
        try await channel.writeAndFlush(channel.allocator.buffer(bytes: bytes))
    }

    /// Sends a request with a body and the usual MCP headers (override or drop any with `headers`).
    func send(
        _ method: String, _ path: String, body: String? = nil, headers: [String: String?] = [:]
    ) async throws {
        var all: [String: String?] = [
            "Host": "127.0.0.1",
            "Accept": "application/json, text/event-stream",
            "Content-Type": body == nil ? nil : "application/json",
        ]
        for (name, value) in headers { all[name] = value }
        var text = "\(method) \(path) HTTP/1.1\r\n"
        for (name, value) in all.sorted(by: { $0.key < $1.key }) {
            if let value { text += "\(name): \(value)\r\n" }
        }
        if let body {
            text += "Content-Length: \(body.utf8.count)\r\n\r\n\(body)"
        } else {
            text += "\r\n"
        }
        try await write(text)
    }

    /// Sends a request and reads one complete response.
    func request(
        _ method: String, _ path: String, body: String? = nil, headers: [String: String?] = [:]
    ) async throws -> TestResponse {
        try await send(method, path, body: body, headers: headers)
        return try await readResponse()
    }

    func close() async {
        try? await channel.close()
    }

    // MARK: Reading

    /// Reads one complete response (Content-Length, chunked, or until the connection closes).
    func readResponse(timeout: Duration = .seconds(10)) async throws -> TestResponse {
        var response = try await readHead(timeout: timeout)
        if let length = response.header("content-length").flatMap({ Int($0) }) {
            response.body = try await poll("a \(length)-byte body", timeout: timeout) { inbox -> [UInt8]? in
                guard inbox.bytes.count - inbox.position >= length else { return nil }
                defer { inbox.position += length }
                return Array(inbox.bytes[inbox.position..<inbox.position + length])
            }
        } else if response.header("transfer-encoding")?.lowercased() == "chunked" {
            inbox.withLockedValue {
                $0.streaming = true
                $0.streamEnded = false
                $0.streamBody = []
            }
            response.body = try await poll("the end of a chunked body", timeout: timeout) { inbox -> [UInt8]? in
                inbox.pumpChunks()
                guard inbox.streamEnded else { return nil }
                inbox.streaming = false
                return inbox.streamBody
            }
        } else if response.status != 101 && response.status != 204 && response.status != 304 {
            response.body = try await poll("the connection to close", timeout: timeout) { inbox -> [UInt8]? in
                guard inbox.closed else { return nil }
                defer { inbox.position = inbox.bytes.count }
                return Array(inbox.bytes[inbox.position...])
            }
        }
        return response
    }

    /// Reads `length` body bytes after a head read with `readHead`.
    func readJSONBody(length: Int, timeout: Duration = .seconds(10)) async throws -> String {
        let bytes = try await poll("a \(length)-byte body", timeout: timeout) { inbox -> [UInt8]? in
            guard inbox.bytes.count - inbox.position >= length else { return nil }
            defer { inbox.position += length }
            return Array(inbox.bytes[inbox.position..<inbox.position + length])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Reads a response head; for an event stream, events are then read with `nextEvent`.
    func readHead(timeout: Duration = .seconds(10)) async throws -> TestResponse {
        let response = try await poll("a response head", timeout: timeout) { inbox in try inbox.parseHead() }
        if response.header("content-type") == "text/event-stream" {
            inbox.withLockedValue {
                $0.streaming = true
                $0.streamEnded = false
                $0.streamBody = []
            }
        }
        return response
    }

    /// The next event of the open event stream, skipping `:` comments unless `comments` is set
    /// (a comment then comes back with `event` ":").
    func nextEvent(timeout: Duration = .seconds(10), comments: Bool = false) async throws -> TestEvent {
        try await poll("an event", timeout: timeout) { inbox -> TestEvent? in
            inbox.pumpChunks()
            while let event = inbox.takeEvent() {
                if event.event == ":" && !comments { continue }
                return event
            }
            if inbox.streamEnded { throw RawClientError.closed("an event (the stream ended)") }
            return nil
        }
    }

    /// Waits until the event stream's terminating chunk arrived; false if it did not in time.
    func streamEnds(timeout: Duration = .seconds(5)) async -> Bool {
        (try? await poll("the end of the stream", timeout: timeout) { inbox -> Bool? in
            inbox.pumpChunks()
            return inbox.streamEnded ? true : nil
        }) ?? false
    }

    /// True once at least `bytes` bytes arrived in all (within `timeout`).
    func waitUntilReceived(bytes: Int, timeout: Duration = .seconds(10)) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if inbox.withLockedValue({ $0.bytes.count >= bytes }) { return true }
            try? await Task.sleep(for: .milliseconds(1))
        }
        return false
    }

    /// True once the server closed the connection (within `timeout`).
    func waitUntilClosed(timeout: Duration = .seconds(5)) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if inbox.withLockedValue({ $0.closed }) { return true }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return inbox.withLockedValue { $0.closed }
    }

    /// Waits `duration` and returns the events that arrived meanwhile (none expected, usually).
    func eventsArriving(within duration: Duration) async -> [TestEvent] {
        try? await Task.sleep(for: duration)
        return inbox.withLockedValue { inbox in
            inbox.pumpChunks()
            var events: [TestEvent] = []
            while let event = inbox.takeEvent() {
                if event.event != ":" { events.append(event) }
            }
            return events
        }
    }

    // MARK: WebSocket

    /// Sends a masked client frame.
    func sendFrame(opcode: UInt8, payload: [UInt8], fin: Bool = true) async throws {
        var frame: [UInt8] = [(fin ? 0x80 : 0) | opcode]
        let mask: [UInt8] = [0x12, 0x34, 0x56, 0x78]
        switch payload.count {
        case 0..<126:
            frame.append(0x80 | UInt8(payload.count))
        case 126..<65536:
            frame.append(0x80 | 126)
            frame += [UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
        default:
            frame.append(0x80 | 127)
            for shift in stride(from: 56, through: 0, by: -8) { frame.append(UInt8((payload.count >> shift) & 0xFF)) }
        }
        frame += mask
        for (index, byte) in payload.enumerated() { frame.append(byte ^ mask[index % 4]) }
        try await write(bytes: frame)
    }

    /// Reads one server frame (unmasked).
    func readFrame(timeout: Duration = .seconds(10)) async throws -> TestFrame {
        try await poll("a WebSocket frame", timeout: timeout) { inbox in inbox.parseFrame() }
    }

    // MARK: Polling

    private func poll<T>(_ what: String, timeout: Duration, _ attempt: @Sendable (inout Inbox) throws -> T?) async throws -> T {
        let deadline = ContinuousClock.now + timeout
        while true {
            let (result, closed) = try inbox.withLockedValue { inbox in (try attempt(&inbox), inbox.closed) }
            if let result { return result }
            if closed {
                if let result = try inbox.withLockedValue({ inbox in try attempt(&inbox) }) { return result }
                throw RawClientError.closed(what)
            }
            guard ContinuousClock.now < deadline else { throw RawClientError.timedOut(what) }
            try await Task.sleep(for: .milliseconds(2))
        }
    }
}

extension RawHTTPClient.Inbox {
    private func find(_ pattern: [UInt8], in bytes: [UInt8], from start: Int) -> Int? {
        guard bytes.count >= pattern.count, start <= bytes.count - pattern.count else { return nil }
        var index = start
        while index <= bytes.count - pattern.count {
            if bytes[index] == pattern[0] && Array(bytes[index..<index + pattern.count]) == pattern { return index }
            index += 1
        }
        return nil
    }

    mutating func parseHead() throws -> TestResponse? {
        guard let end = find([13, 10, 13, 10], in: bytes, from: position) else { return nil }
        let text = String(decoding: bytes[position..<end], as: UTF8.self)
        position = end + 4
        var lines = text.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { throw RawClientError.malformed(text) }
        let headers = lines.compactMap { line -> (name: String, value: String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces))
        }
        return TestResponse(status: status, headers: headers, body: [])
    }

    /// Decodes every complete chunk that arrived into `streamBody`.
    mutating func pumpChunks() {
        while streaming && !streamEnded {
            guard let lineEnd = find([13, 10], in: bytes, from: position) else { return }
            let sizeText = String(decoding: bytes[position..<lineEnd], as: UTF8.self).split(separator: ";").first ?? ""
            guard let size = Int(sizeText, radix: 16) else { return }
            if size == 0 {
                guard bytes.count >= lineEnd + 4 else { return }
                position = lineEnd + 4
                streamEnded = true
                return
            }
            guard bytes.count >= lineEnd + 2 + size + 2 else { return }
            streamBody += bytes[lineEnd + 2..<lineEnd + 2 + size]
            position = lineEnd + 2 + size + 2
        }
    }

    /// Takes one complete event (or comment block) from `streamBody`.
    mutating func takeEvent() -> TestEvent? {
        guard let end = find([10, 10], in: streamBody, from: 0) else { return nil }
        let block = String(decoding: streamBody[0..<end], as: UTF8.self)
        streamBody.removeFirst(end + 2)
        var event = TestEvent(id: nil, event: nil, data: "")
        var sawField = false
        for line in block.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix(":") { continue }
            sawField = true
            if line.hasPrefix("id: ") { event.id = String(line.dropFirst(4)) }
            if line.hasPrefix("event: ") { event.event = String(line.dropFirst(7)) }
            if line.hasPrefix("data: ") { event.data += String(line.dropFirst(6)) }
        }
        if !sawField { event.event = ":" }
        return event
    }

    mutating func parseFrame() -> TestFrame? {
        let available = bytes.count - position
        guard available >= 2 else { return nil }
        let first = bytes[position]
        let second = bytes[position + 1]
        var length = Int(second & 0x7F)
        var offset = 2
        if length == 126 {
            guard available >= 4 else { return nil }
            length = Int(bytes[position + 2]) << 8 | Int(bytes[position + 3])
            offset = 4
        } else if length == 127 {
            guard available >= 10 else { return nil }
            length = (0..<8).reduce(0) { $0 << 8 | Int(bytes[position + 2 + $1]) }
            offset = 10
        }
        guard available >= offset + length else { return nil }
        let payload = Array(bytes[position + offset..<position + offset + length])
        position += offset + length
        return TestFrame(fin: first & 0x80 != 0, opcode: first & 0x0F, payload: payload)
    }
}

/// Appends everything the connection reads to the inbox.
private final class ByteCollector: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer

    private let inbox: NIOLockedValueBox<RawHTTPClient.Inbox>

    init(inbox: NIOLockedValueBox<RawHTTPClient.Inbox>) {
        self.inbox = inbox
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        inbox.withLockedValue { $0.bytes += buffer.readableBytesView }
    }

    func channelInactive(context: ChannelHandlerContext) {
        inbox.withLockedValue { $0.closed = true }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
