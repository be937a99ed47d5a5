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
/// keeps going. Lines are zero-copy slices of the read buffer, passed on as plain `ByteBuffer`s
/// (which NIO carries without boxing or a dynamic cast).
struct LineFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = ByteBuffer

    let maxLineBytes: Int
    /// How many bytes at the front of the buffer are known to hold no newline.
    private var scanned = 0
    /// Bytes of an oversized line dropped so far while waiting for its newline.
    private var discarding: Int?

    init(maxLineBytes: Int) {
        self.maxLineBytes = maxLineBytes
    }

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let newline = Self.findNewline(in: buffer, from: scanned) else {
            if let dropped = discarding {
                discarding = dropped + buffer.readableBytes
                buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
                scanned = 0
            } else if buffer.readableBytes > maxLineBytes {
                discarding = buffer.readableBytes
                buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
                scanned = 0
            } else {
                scanned = buffer.readableBytes
            }
            return .needMoreData
        }
        scanned = 0
        if let dropped = discarding {
            discarding = nil
            buffer.moveReaderIndex(forwardBy: newline + 1)
            context.fireUserInboundEventTriggered(OversizedLine(byteCount: dropped + newline, limit: maxLineBytes))
            return .continue
        }
        if newline > maxLineBytes {
            buffer.moveReaderIndex(forwardBy: newline + 1)
            context.fireUserInboundEventTriggered(OversizedLine(byteCount: newline, limit: maxLineBytes))
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
            discarding = nil
            let rest = buffer.readableBytes
            buffer.moveReaderIndex(forwardBy: rest)
            context.fireUserInboundEventTriggered(OversizedLine(byteCount: dropped + rest, limit: maxLineBytes))
        } else if buffer.readableBytes > 0, var line = buffer.readSlice(length: buffer.readableBytes) {
            // A final message without a trailing newline still counts.
            Self.emit(&line, context: context, decoder: self)
        }
        scanned = 0
        return .needMoreData
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
    /// Bytes dropped.
    let byteCount: Int
    /// The limit it exceeded.
    let limit: Int
}
