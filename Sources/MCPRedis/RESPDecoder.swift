import NIOCore

/// A `ByteToMessageDecoder` that turns the bytes from a Redis server into ``RESPValue``s, one
/// per reply or push message, with ``RESPParser`` and its ``RESPLimits``.
///
/// An incomplete reply is parsed again only once the bytes it needs at least have arrived, so a
/// large bulk string delivered in many reads is not parsed over and over.
public struct RESPDecoder: ByteToMessageDecoder {
    /// Decoded values.
    public typealias InboundOut = RESPValue

    private let parser: RESPParser
    private var needed = 0

    /// Makes a decoder with the given limits.
    public init(limits: RESPLimits = .default) {
        self.parser = RESPParser(limits: limits)
    }

    /// Decodes one value when the buffer holds a complete one.
    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard buffer.readableBytes >= max(self.needed, 1) else { return .needMoreData }
        switch try self.parser.parse(buffer) {
        case .incomplete(let needed):
            self.needed = needed
            return .needMoreData
        case .value(let value, let length):
            self.needed = 0
            buffer.moveReaderIndex(forwardBy: length)
            context.fireChannelRead(NIOAny(value))
            return .continue
        }
    }

    /// Decodes what is left when the connection closes; an incomplete reply is dropped.
    public mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while try self.decode(context: context, buffer: &buffer) == .continue {}
        return .needMoreData
    }
}
