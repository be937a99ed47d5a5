import NIOCore

/// The `data` of each event in a `text/event-stream` body (lines of one event joined by `\n`).
enum ServerSentEvents {
    static func dataPayloads(in body: ByteBuffer) -> [ByteBuffer] {
        var payloads: [ByteBuffer] = []
        var current: ByteBuffer?
        let bytes = body.readableBytesView
        var lineStart = bytes.startIndex
        func endOfEvent() {
            if let data = current { payloads.append(data) }
            current = nil
        }
        while lineStart < bytes.endIndex {
            let newline = bytes[lineStart...].firstIndex { $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") } ?? bytes.endIndex
            let line = bytes[lineStart..<newline]
            if line.isEmpty {
                endOfEvent()
            } else if line.starts(with: "data".utf8) {
                var value = line.dropFirst(4)
                if value.first == UInt8(ascii: ":") {
                    value = value.dropFirst()
                    if value.first == UInt8(ascii: " ") { value = value.dropFirst() }
                    if current == nil {
                        current = ByteBuffer(bytes: value)
                    } else {
                        current?.writeInteger(UInt8(ascii: "\n"))
                        current?.writeBytes(value)
                    }
                } else if value.isEmpty {
                    if current == nil { current = ByteBuffer() } else { current?.writeInteger(UInt8(ascii: "\n")) }
                }
            }
            var next = newline
            if next < bytes.endIndex {
                if bytes[next] == UInt8(ascii: "\r"), bytes.index(after: next) < bytes.endIndex,
                   bytes[bytes.index(after: next)] == UInt8(ascii: "\n") {
                    next = bytes.index(after: next)
                }
                next = bytes.index(after: next)
            }
            lineStart = next
        }
        endOfEvent()
        return payloads
    }
}
