import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Serves newline-delimited JSON-RPC on the process's own stdin and stdout with plain blocking
/// `read` and `write`: no event loop, no threads, so the upstream adds as little as possible to a
/// latency measurement. Every line read in one `read` is answered with one `write`.
struct StdioEchoLoop {
    let responder = EchoResponder()
    /// Longest line accepted; a longer one is answered with a parse error and dropped.
    let maxLineBytes: Int

    /// Runs until stdin reaches end of file. Returns false when a read or write failed.
    func run() -> Bool {
        var input = ByteBufferAllocator().buffer(capacity: 64 << 10)
        var output = ByteBufferAllocator().buffer(capacity: 64 << 10)
        while true {
            if input.writableBytes < 16 << 10 {
                input.discardReadBytes()
                if input.writableBytes < 16 << 10 { input.reserveCapacity(minimumWritableBytes: 64 << 10) }
            }
            let count = input.writeWithUnsafeMutableBytes(minimumWritableBytes: 1) { raw -> Int in
                while true {
                    let n = read(STDIN_FILENO, raw.baseAddress, raw.count)
                    if n >= 0 { return n }
                    if errno != EINTR { return -1 }
                }
            }
            if count <= 0 { return count == 0 }
            while let line = nextLine(&input) {
                if line.readableBytes == 0 { continue }
                if responder.reply(to: line, into: &output) != .none {
                    output.writeInteger(UInt8(ascii: "\n"))
                }
            }
            if input.readableBytes > maxLineBytes {
                input.moveReaderIndex(forwardBy: input.readableBytes)
                output.writeStaticString(#"{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"line too long"}}"#)
                output.writeInteger(UInt8(ascii: "\n"))
            }
            if output.readableBytes > 0 {
                guard writeAll(output) else { return false }
                output.clear()
            }
        }
    }

    /// The next complete line (without its newline), consumed from `input`.
    private func nextLine(_ input: inout ByteBuffer) -> ByteBuffer? {
        let offset = input.withUnsafeReadableBytes { raw -> Int? in
            guard let base = raw.baseAddress, let hit = memchr(base, Int32(UInt8(ascii: "\n")), raw.count) else { return nil }
            return base.distance(to: UnsafeRawPointer(hit))
        }
        guard let offset else { return nil }
        let line = input.readSlice(length: offset)
        input.moveReaderIndex(forwardBy: 1)
        return line
    }

    private func writeAll(_ buffer: ByteBuffer) -> Bool {
        buffer.withUnsafeReadableBytes { raw -> Bool in
            guard var pointer = raw.baseAddress else { return true }
            var remaining = raw.count
            while remaining > 0 {
                let n = write(STDOUT_FILENO, pointer, remaining)
                if n < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                pointer += n
                remaining -= n
            }
            return true
        }
    }
}
