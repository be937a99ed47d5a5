import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes messages as newline-delimited frames.
///
/// JSON allows raw CR/LF only as whitespace between tokens (never inside strings), so any that a
/// validated message carries are replaced by spaces: the frame stays one line and means the same.
enum NewlineFraming {
    static let newline: ByteBuffer = {
        var buffer = ByteBufferAllocator().buffer(capacity: 1)
        buffer.writeInteger(UInt8(ascii: "\n"))
        return buffer
    }()

    /// Returns the message with any raw line breaks turned into spaces (usually the same buffer).
    static func singleLine(_ message: ByteBuffer) -> ByteBuffer {
        let hasBreak = message.withUnsafeReadableBytes { bytes -> Bool in
            guard let base = bytes.baseAddress else { return false }
            return memchr(base, Int32(UInt8(ascii: "\n")), bytes.count) != nil
                || memchr(base, Int32(UInt8(ascii: "\r")), bytes.count) != nil
        }
        guard hasBreak else { return message }
        var copy = ByteBufferAllocator().buffer(capacity: message.readableBytes)
        message.withUnsafeReadableBytes { bytes in
            for byte in bytes {
                copy.writeInteger(byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") ? UInt8(ascii: " ") : byte)
            }
        }
        return copy
    }
}
