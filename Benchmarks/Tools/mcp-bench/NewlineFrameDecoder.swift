import NIOCore

/// Splits a byte stream into lines (without the newline); a trailing `\r` is dropped too.
struct NewlineFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = ByteBuffer

    /// Longest line accepted before the stream is declared broken.
    let maxLineBytes: Int

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let offset = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) else {
            if buffer.readableBytes > maxLineBytes { throw LineTooLong(limit: maxLineBytes) }
            return .needMoreData
        }
        let length = offset - buffer.readerIndex
        guard var line = buffer.readSlice(length: length) else { return .needMoreData }
        buffer.moveReaderIndex(forwardBy: 1)
        if line.readableBytesView.last == UInt8(ascii: "\r") {
            line.moveWriterIndex(to: line.writerIndex - 1)
        }
        context.fireChannelRead(wrapInboundOut(line))
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        return .needMoreData
    }
}

/// The target wrote a line longer than the limit.
struct LineTooLong: Error, CustomStringConvertible {
    let limit: Int
    var description: String { "the target wrote a line longer than \(limit) bytes; raise --max-line-bytes" }
}
