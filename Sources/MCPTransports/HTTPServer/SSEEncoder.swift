import NIOCore

/// Encodes Server-Sent Events: optional `id:` and `event:` lines, one `data:` line, a blank line.
enum SSEEncoder {
    /// `: keep-alive` and a blank line: a comment that clients ignore and proxies see as traffic.
    static let keepAlive: ByteBuffer = ByteBuffer(string: ": keep-alive\n\n")

    /// One event carrying `data` on a single line (raw line breaks, legal only as JSON whitespace,
    /// become spaces).
    static func encode(id: String?, event: String?, data: ByteBuffer) -> ByteBuffer {
        let line = NewlineFraming.singleLine(data)
        var size = line.readableBytes + 8
        if let id { size += id.utf8.count + 5 }
        if let event { size += event.utf8.count + 8 }
        var buffer = ByteBufferAllocator().buffer(capacity: size)
        if let id {
            buffer.writeStaticString("id: ")
            buffer.writeString(id)
            buffer.writeInteger(UInt8(ascii: "\n"))
        }
        if let event {
            buffer.writeStaticString("event: ")
            buffer.writeString(event)
            buffer.writeInteger(UInt8(ascii: "\n"))
        }
        buffer.writeStaticString("data: ")
        buffer.writeImmutableBuffer(line)
        buffer.writeStaticString("\n\n")
        return buffer
    }

    /// An event whose data is plain text (the legacy `endpoint` event).
    static func encode(event: String, text: String) -> ByteBuffer {
        encode(id: nil, event: event, data: ByteBuffer(string: text))
    }
}
