import Foundation
import MCPTransports
import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// stdin/stdout for `--faults` over stdio: reads like `StandardIOTransport` (it is one), but
/// writes through its own serial writer on a copy of the real stdout, so a reply can be written
/// a few bytes at a time (`drip`) without any other message interleaving with it.
final class FaultStdioTransport: MessageTransport, @unchecked Sendable {
    // @unchecked: `input` and `writer` are set in init and are themselves thread-safe.
    let name = "stdio"
    private let input = StandardIOTransport()
    private let writer: SerialWriter

    init() {
        // Taken before `input.start` points fd 1 at stderr.
        writer = SerialWriter(fd: fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3))
    }

    func start(sink: any MessageSink) async throws(TransportError) {
        try await input.start(sink: sink)
    }

    @discardableResult
    func send(_ message: ByteBuffer) -> Bool {
        writer.write(Array(message.readableBytesView) + [UInt8(ascii: "\n")])
        return true
    }

    /// Writes `message` and its newline `chunk` bytes at a time, spread over `seconds`; nothing
    /// else is written meanwhile.
    func drip(_ message: ByteBuffer, seconds: Double, chunk: Int) {
        writer.drip(Array(message.readableBytesView) + [UInt8(ascii: "\n")], seconds: seconds, chunk: chunk)
    }

    func close() async {
        await input.close()
    }
}

/// Blocking writes to one descriptor, in order, from a serial queue.
final class SerialWriter: @unchecked Sendable {
    // @unchecked: `fd` is immutable; all writes happen on `queue`.
    private let fd: Int32
    private let queue = DispatchQueue(label: "example-server.stdout")

    init(fd: Int32) {
        self.fd = fd
    }

    func write(_ bytes: [UInt8]) {
        queue.async { self.writeAll(bytes[...]) }
    }

    func drip(_ bytes: [UInt8], seconds: Double, chunk: Int) {
        queue.async {
            let pieces = max(1, (bytes.count + chunk - 1) / chunk)
            let pause = UInt32(max(0, seconds) * 1_000_000 / Double(pieces))
            var offset = 0
            while offset < bytes.count {
                let end = min(offset + chunk, bytes.count)
                guard self.writeAll(bytes[offset..<end]) else { return }
                offset = end
                if offset < bytes.count { usleep(pause) }
            }
        }
    }

    /// Writes every byte, waiting while the pipe is full (the descriptor may be non-blocking:
    /// it shares its file description with the transport's). False when the reader is gone.
    @discardableResult
    private func writeAll(_ bytes: ArraySlice<UInt8>) -> Bool {
        var offset = bytes.startIndex
        while offset < bytes.endIndex {
            let written = bytes[offset...].withUnsafeBytes { systemWrite(fd, $0.baseAddress, $0.count) }
            if written > 0 {
                offset += written
            } else if written < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
                var poller = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                _ = poll(&poller, 1, 1000)
            } else {
                return false
            }
        }
        return true
    }
}

/// write(2), out of reach of methods named `write`.
private func systemWrite(_ fd: Int32, _ bytes: UnsafeRawPointer?, _ count: Int) -> Int {
    write(fd, bytes, count)
}
