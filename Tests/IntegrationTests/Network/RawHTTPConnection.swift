import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One HTTP/1.1 response head read from a `RawHTTPConnection`.
struct RawHTTPHead: CustomStringConvertible {
    let status: Int
    /// Header names lowercased, in arrival order.
    let headers: [(name: String, value: String)]

    func header(_ name: String) -> String? {
        let lowered = name.lowercased()
        return headers.first { $0.name == lowered }?.value
    }

    var isChunked: Bool { header("transfer-encoding")?.lowercased().contains("chunked") ?? false }
    var description: String { "HTTP \(status) \(headers.map { "\($0.name): \($0.value)" }.joined(separator: "; "))" }
}

/// A complete HTTP response (head and decoded body).
struct RawHTTPResponse: CustomStringConvertible {
    let head: RawHTTPHead
    let body: String
    var status: Int { head.status }
    var description: String { "\(head)\n\(body.prefix(2000))" }
}

/// One Server-Sent Event.
struct RawSSEEvent: CustomStringConvertible {
    var id: String?
    var event: String?
    var data: String
    var description: String { "id=\(id ?? "-") data=\(data.prefix(300))" }
}

/// A plain POSIX TCP connection speaking HTTP/1.1 by hand (URLSession is unreliable on Linux),
/// with deadlines on every read.
final class RawHTTPConnection {
    private var fd: Int32
    /// Bytes read from the socket and not yet consumed.
    private var raw: [UInt8] = []
    /// Decoded body bytes of a streaming response, not yet consumed as SSE events.
    private var decoded: [UInt8] = []
    private var chunked = false
    private var bodyEnded = false

    init(port: Int, host: String = "127.0.0.1") throws {
        signal(SIGPIPE, SIG_IGN)
        #if canImport(Glibc)
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw IntegrationFailure("socket() failed: errno \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr = in_addr(s_addr: inet_addr(host))
        let result = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            let code = errno
            Glibc.close(fd)
            throw IntegrationFailure("cannot connect to \(host):\(port): errno \(code)")
        }
    }

    deinit { close() }

    func close() {
        if fd >= 0 {
            Glibc.close(fd)
            fd = -1
        }
    }

    /// Writes everything; returns false when the peer stopped reading (EPIPE, ECONNRESET).
    @discardableResult
    func write(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let count = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { return false }
            offset += count
        }
        return true
    }

    /// Sends one request. `body` is sent with a Content-Length; a Host header is added.
    @discardableResult
    func sendRequest(_ method: String, _ path: String, headers: [(String, String)] = [], body: [UInt8] = [], port: Int) -> Bool {
        var text = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        if !body.isEmpty || method == "POST" { text += "Content-Length: \(body.count)\r\n" }
        text += "\r\n"
        return write(Array(text.utf8) + body)
    }

    /// Reads more bytes into `raw`; false at EOF. Throws when the deadline passes.
    private func fill(deadline: ContinuousClock.Instant, what: String) throws -> Bool {
        while true {
            let remaining = deadline - ContinuousClock.now
            if remaining <= .zero { throw IntegrationFailure("timed out reading \(what); have so far: \(String(decoding: raw + decoded, as: UTF8.self).suffix(1500))") }
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let milliseconds = Int32(min(Double(remaining.components.seconds) * 1000 + Double(remaining.components.attoseconds) / 1e15, 60_000)) + 1
            let ready = poll(&descriptor, 1, milliseconds)
            if ready < 0 && errno == EINTR { continue }
            if ready <= 0 { continue }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { return false }
            raw.append(contentsOf: chunk[0..<count])
            return true
        }
    }

    private func takeLine(deadline: ContinuousClock.Instant, what: String) throws -> String? {
        while true {
            if let index = raw.firstIndex(of: UInt8(ascii: "\n")) {
                var line = Array(raw[..<index])
                raw.removeSubrange(...index)
                if line.last == UInt8(ascii: "\r") { line.removeLast() }
                return String(decoding: line, as: UTF8.self)
            }
            if try !fill(deadline: deadline, what: what) { return nil }
        }
    }

    /// Reads the status line and headers.
    func readHead(timeout: Duration = .seconds(10)) throws -> RawHTTPHead {
        let deadline = ContinuousClock.now + timeout
        guard let statusLine = try takeLine(deadline: deadline, what: "the status line") else {
            throw IntegrationFailure("the connection closed before a response arrived")
        }
        let parts = statusLine.split(separator: " ")
        guard parts.count >= 2, let status = Int(parts[1]) else { throw IntegrationFailure("bad status line: \(statusLine)") }
        var headers: [(String, String)] = []
        while let line = try takeLine(deadline: deadline, what: "the headers"), !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.append((line[..<colon].lowercased(), String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)))
        }
        let head = RawHTTPHead(status: status, headers: headers)
        chunked = head.isChunked
        bodyEnded = false
        decoded = []
        return head
    }

    /// Reads the whole body after `head` (Content-Length, chunked, or until close).
    func readBody(_ head: RawHTTPHead, timeout: Duration = .seconds(10)) throws -> String {
        let deadline = ContinuousClock.now + timeout
        if let lengthText = head.header("content-length"), let length = Int(lengthText) {
            while raw.count < length {
                if try !fill(deadline: deadline, what: "a \(length)-byte body") { break }
            }
            let body = Array(raw.prefix(length))
            raw.removeFirst(min(length, raw.count))
            return String(decoding: body, as: UTF8.self)
        }
        if chunked {
            while try decodeChunk(deadline: deadline) {}
            defer { decoded = [] }
            return String(decoding: decoded, as: UTF8.self)
        }
        while try fill(deadline: deadline, what: "a body that ends at close") {}
        defer { raw = [] }
        return String(decoding: raw, as: UTF8.self)
    }

    /// Decodes one chunk into `decoded`; false after the last chunk (or EOF).
    private func decodeChunk(deadline: ContinuousClock.Instant) throws -> Bool {
        guard !bodyEnded else { return false }
        guard let sizeLine = try takeLine(deadline: deadline, what: "a chunk size") else {
            bodyEnded = true
            return false
        }
        if sizeLine.isEmpty { return true }
        guard let size = Int(sizeLine.split(separator: ";").first ?? "", radix: 16) else {
            throw IntegrationFailure("bad chunk size line: \(sizeLine)")
        }
        if size == 0 {
            bodyEnded = true
            return false
        }
        while raw.count < size + 2 {
            if try !fill(deadline: deadline, what: "a \(size)-byte chunk") { break }
        }
        decoded.append(contentsOf: raw.prefix(size))
        raw.removeFirst(min(size + 2, raw.count))
        return true
    }

    /// The next SSE event of a streaming body (comments and keep-alives skipped), or nil when the
    /// stream ended. Throws on timeout.
    func nextEvent(timeout: Duration = .seconds(10)) throws -> RawSSEEvent? {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let event = takeEvent() {
                if event.data.isEmpty && event.id == nil { continue }
                return event
            }
            if chunked {
                if try !decodeChunk(deadline: deadline) { return takeEvent() }
            } else {
                let before = raw.count
                let more = try fill(deadline: deadline, what: "an SSE event")
                decoded.append(contentsOf: raw[before...])
                raw.removeAll()
                if !more { return takeEvent() }
            }
        }
    }

    /// Like `nextEvent`, but nil when nothing arrives within `timeout`.
    func eventIfAny(within timeout: Duration) -> RawSSEEvent? {
        try? nextEvent(timeout: timeout)
    }

    private func takeEvent() -> RawSSEEvent? {
        let text = decoded
        var boundary: (Int, Int)?
        var index = 0
        while index < text.count {
            if text[index] == UInt8(ascii: "\n") {
                if index + 1 < text.count, text[index + 1] == UInt8(ascii: "\n") { boundary = (index, 2); break }
                if index + 2 < text.count, text[index + 1] == UInt8(ascii: "\r"), text[index + 2] == UInt8(ascii: "\n") { boundary = (index, 3); break }
            }
            index += 1
        }
        guard let (end, length) = boundary else { return nil }
        let block = String(decoding: text[..<end], as: UTF8.self)
        decoded.removeFirst(end + length)
        var event = RawSSEEvent(id: nil, event: nil, data: "")
        var dataLines: [String] = []
        for rawLine in block.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = rawLine.hasSuffix("\r") ? String(rawLine.dropLast()) : String(rawLine)
            if line.hasPrefix(":") || line.isEmpty { continue }
            let field: String
            var value: String
            if let colon = line.firstIndex(of: ":") {
                field = String(line[..<colon])
                value = String(line[line.index(after: colon)...])
                if value.hasPrefix(" ") { value.removeFirst() }
            } else {
                field = line
                value = ""
            }
            switch field {
            case "id": event.id = value
            case "event": event.event = value
            case "data": dataLines.append(value)
            default: break
            }
        }
        event.data = dataLines.joined(separator: "\n")
        return event
    }
}

/// One-shot requests.
enum RawHTTP {
    /// Sends one request with `Connection: close` and reads the whole answer.
    static func request(
        _ method: String, port: Int, path: String, headers: [(String, String)] = [], body: String = "", timeout: Duration = .seconds(10)
    ) throws -> RawHTTPResponse {
        try request(method, port: port, path: path, headers: headers, bodyBytes: Array(body.utf8), timeout: timeout)
    }

    static func request(
        _ method: String, port: Int, path: String, headers: [(String, String)] = [], bodyBytes: [UInt8], timeout: Duration = .seconds(10)
    ) throws -> RawHTTPResponse {
        let connection = try RawHTTPConnection(port: port)
        defer { connection.close() }
        connection.sendRequest(method, path, headers: headers + [("Connection", "close")], body: bodyBytes, port: port)
        let head = try connection.readHead(timeout: timeout)
        let body = (try? connection.readBody(head, timeout: timeout)) ?? ""
        return RawHTTPResponse(head: head, body: body)
    }

    /// The headers an MCP Streamable HTTP POST needs.
    static func mcpHeaders(session: String? = nil, version: String? = "2025-11-25") -> [(String, String)] {
        var headers = [("Content-Type", "application/json"), ("Accept", "application/json, text/event-stream")]
        if let session { headers.append(("Mcp-Session-Id", session)) }
        if let version { headers.append(("MCP-Protocol-Version", version)) }
        return headers
    }
}
