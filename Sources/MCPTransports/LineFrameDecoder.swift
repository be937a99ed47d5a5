import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Splits a byte stream into newline-delimited frames (the MCP stdio framing).
///
/// A trailing `\r` is dropped, blank lines are skipped, and a line longer than `maxLineBytes`
/// is discarded up to its newline and reported as an `OversizedLine` user event so the stream
/// keeps going; the event carries the line's first and last ``OversizedLine/excerptBytes`` bytes
/// (copies), where the JSON-RPC `id` of a dropped message usually is. Lines are zero-copy slices
/// of the read buffer, passed on as plain `ByteBuffer`s (which NIO carries without boxing or a
/// dynamic cast).
struct LineFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = ByteBuffer

    let maxLineBytes: Int
    /// How many bytes at the front of the buffer are known to hold no newline.
    private var scanned = 0
    /// Bytes of an oversized line dropped so far while waiting for its newline.
    private var discarding: Int?
    /// The first bytes of the oversized line being dropped.
    private var discardedHead: [UInt8] = []
    /// The last bytes dropped so far of the oversized line being dropped.
    private var discardedTail: [UInt8] = []

    init(maxLineBytes: Int) {
        self.maxLineBytes = maxLineBytes
    }

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let newline = Self.findNewline(in: buffer, from: scanned) else {
            if let dropped = discarding {
                discarding = dropped + buffer.readableBytes
                drop(buffer.readableBytes, of: &buffer)
                scanned = 0
            } else if buffer.readableBytes > maxLineBytes {
                discarding = buffer.readableBytes
                discardedHead = Array(buffer.readableBytesView.prefix(OversizedLine.excerptBytes))
                drop(buffer.readableBytes, of: &buffer)
                scanned = 0
            } else {
                scanned = buffer.readableBytes
            }
            return .needMoreData
        }
        scanned = 0
        if let dropped = discarding {
            drop(newline, of: &buffer)
            buffer.moveReaderIndex(forwardBy: 1)
            fireOversized(byteCount: dropped + newline, context: context)
            return .continue
        }
        if newline > maxLineBytes {
            discardedHead = Array(buffer.readableBytesView.prefix(OversizedLine.excerptBytes))
            drop(newline, of: &buffer)
            buffer.moveReaderIndex(forwardBy: 1)
            fireOversized(byteCount: newline, context: context)
            return .continue
        }
        guard var line = buffer.readSlice(length: newline) else { return .needMoreData }
        buffer.moveReaderIndex(forwardBy: 1)
        Self.emit(&line, context: context, decoder: self)
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        if let dropped = discarding {
            let rest = buffer.readableBytes
            drop(rest, of: &buffer)
            fireOversized(byteCount: dropped + rest, context: context)
        } else if buffer.readableBytes > 0, var line = buffer.readSlice(length: buffer.readableBytes) {
            // A final message without a trailing newline still counts.
            Self.emit(&line, context: context, decoder: self)
        }
        scanned = 0
        return .needMoreData
    }

    /// Skips `count` bytes of an oversized line, keeping its last bytes for the report.
    private mutating func drop(_ count: Int, of buffer: inout ByteBuffer) {
        let keep = OversizedLine.excerptBytes
        let skipped = buffer.readableBytesView.prefix(count)
        if skipped.count >= keep {
            discardedTail = Array(skipped.suffix(keep))
        } else {
            discardedTail = Array(discardedTail.suffix(keep - skipped.count)) + Array(skipped)
        }
        buffer.moveReaderIndex(forwardBy: count)
    }

    /// Reports the oversized line just dropped, and forgets it.
    private mutating func fireOversized(byteCount: Int, context: ChannelHandlerContext) {
        var tail = discardedTail
        if tail.last == UInt8(ascii: "\r") { tail.removeLast() }
        let event = OversizedLine(
            byteCount: byteCount, limit: maxLineBytes, head: ByteBuffer(bytes: discardedHead), tail: ByteBuffer(bytes: tail))
        discarding = nil
        discardedHead = []
        discardedTail = []
        context.fireUserInboundEventTriggered(event)
    }

    private static func emit(_ line: inout ByteBuffer, context: ChannelHandlerContext, decoder: LineFrameDecoder) {
        if line.readableBytes > 0, line.getInteger(at: line.writerIndex - 1, as: UInt8.self) == UInt8(ascii: "\r") {
            line.moveWriterIndex(to: line.writerIndex - 1)
        }
        guard !Self.isBlank(line) else { return }
        context.fireChannelRead(decoder.wrapInboundOut(line))
    }

    private static func isBlank(_ line: ByteBuffer) -> Bool {
        line.withUnsafeReadableBytes { bytes in
            bytes.allSatisfy { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: "\r") }
        }
    }

    /// Offset of the first `\n` at or after `start`, relative to the reader index.
    static func findNewline(in buffer: ByteBuffer, from start: Int) -> Int? {
        buffer.withUnsafeReadableBytes { bytes -> Int? in
            guard start < bytes.count, let base = bytes.baseAddress else { return nil }
            guard let hit = memchr(base + start, Int32(UInt8(ascii: "\n")), bytes.count - start) else { return nil }
            return base.distance(to: UnsafeRawPointer(hit))
        }
    }
}

/// A line longer than the limit was skipped (a user inbound event of `LineFrameDecoder`).
struct OversizedLine: Sendable {
    /// How many bytes of the start and of the end of the line are kept.
    static let excerptBytes = 512

    /// Bytes dropped.
    let byteCount: Int
    /// The limit it exceeded.
    let limit: Int
    /// The line's first ``excerptBytes`` bytes (a copy).
    var head = ByteBuffer()
    /// The line's last ``excerptBytes`` bytes (a copy; without a trailing `\r`).
    var tail = ByteBuffer()
}
