import NIOCore

/// Joins complete JSON values into one JSON array, copying each once.
enum JSONArrayJoin {
    static func join(_ parts: [ByteBuffer]) -> ByteBuffer {
        var out = ByteBufferAllocator().buffer(capacity: parts.reduce(2) { $0 + $1.readableBytes + 1 })
        out.writeInteger(UInt8(ascii: "["))
        for (index, part) in parts.enumerated() {
            if index > 0 { out.writeInteger(UInt8(ascii: ",")) }
            out.writeImmutableBuffer(part)
        }
        out.writeInteger(UInt8(ascii: "]"))
        return out
    }
}
