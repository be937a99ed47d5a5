import NIOCore

/// One argument of a Redis command: text, bytes or a number. Numbers are sent as their decimal
/// text, as Redis expects.
public enum RedisArgument: Sendable, Hashable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral {
    /// Text, sent as its UTF-8 bytes.
    case string(String)
    /// Bytes, sent as they are.
    case bytes(ByteBuffer)
    /// An integer, sent as decimal text.
    case integer(Int64)
    /// A double, sent as its shortest round-tripping decimal text (`inf` and `-inf` for infinities).
    case double(Double)

    /// An argument from a string literal.
    public init(stringLiteral value: String) {
        self = .string(value)
    }

    /// An argument from an integer literal.
    public init(integerLiteral value: Int64) {
        self = .integer(value)
    }

    /// An argument from any integer.
    public init<I: BinaryInteger>(_ value: I) {
        if let exact = Int64(exactly: value) {
            self = .integer(exact)
        } else {
            self = .string(String(value))
        }
    }
}

/// A Redis command: its name and arguments, encoded on the wire as a RESP array of bulk strings.
public struct RedisCommand: Sendable, Hashable, CustomStringConvertible {
    /// The command's name (`GET`, `EVALSHA`, ...).
    public var name: String
    /// The arguments after the name.
    public var arguments: [RedisArgument]

    /// Makes a command from its name and arguments.
    public init(_ name: String, _ arguments: [RedisArgument] = []) {
        self.name = name
        self.arguments = arguments
    }

    /// Makes a command from its name and arguments.
    public init(_ name: String, _ arguments: RedisArgument...) {
        self.init(name, arguments)
    }

    /// The command's name only: arguments may hold keys and secrets, so they stay out of errors and logs.
    public var description: String { self.name }

    /// Writes the command into `buffer` as a RESP array of bulk strings, straight from the
    /// arguments (no intermediate array or string of the whole command).
    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt8(ascii: "*"))
        Self.writeDecimal(Int64(self.arguments.count + 1), into: &buffer)
        buffer.writeInteger(Self.crlf)
        Self.writeBulk(self.name, into: &buffer)
        for argument in self.arguments {
            switch argument {
            case .string(let text):
                Self.writeBulk(text, into: &buffer)
            case .bytes(let bytes):
                buffer.writeInteger(UInt8(ascii: "$"))
                Self.writeDecimal(Int64(bytes.readableBytes), into: &buffer)
                buffer.writeInteger(Self.crlf)
                buffer.writeImmutableBuffer(bytes)
                buffer.writeInteger(Self.crlf)
            case .integer(let value):
                // The digits go straight into the buffer, after a length header written once the
                // number of digits is known.
                buffer.writeInteger(UInt8(ascii: "$"))
                Self.writeDecimal(Int64(Self.decimalLength(value)), into: &buffer)
                buffer.writeInteger(Self.crlf)
                Self.writeDecimal(value, into: &buffer)
                buffer.writeInteger(Self.crlf)
            case .double(let value):
                let text: String
                if value == .infinity {
                    text = "inf"
                } else if value == -.infinity {
                    text = "-inf"
                } else {
                    text = String(value)
                }
                Self.writeBulk(text, into: &buffer)
            }
        }
    }

    /// The number of bytes ``encode(into:)`` writes, roughly; used to size buffers.
    public var estimatedEncodedLength: Int {
        var length = 16 + self.name.utf8.count
        for argument in self.arguments {
            switch argument {
            case .string(let text): length += 16 + text.utf8.count
            case .bytes(let bytes): length += 16 + bytes.readableBytes
            case .integer, .double: length += 40
            }
        }
        return length
    }

    private static let crlf = UInt16(UInt8(ascii: "\r")) << 8 | UInt16(UInt8(ascii: "\n"))

    private static func writeBulk(_ text: String, into buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt8(ascii: "$"))
        Self.writeDecimal(Int64(text.utf8.count), into: &buffer)
        buffer.writeInteger(Self.crlf)
        buffer.writeString(text)
        buffer.writeInteger(Self.crlf)
    }

    private static func decimalLength(_ value: Int64) -> Int {
        var length = value < 0 ? 2 : 1
        var rest = value.magnitude / 10
        while rest > 0 {
            length += 1
            rest /= 10
        }
        return length
    }

    private static func writeDecimal(_ value: Int64, into buffer: inout ByteBuffer) {
        if value < 0 { buffer.writeInteger(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        var divisor: UInt64 = 1
        while magnitude / divisor >= 10 { divisor *= 10 }
        while divisor > 0 {
            buffer.writeInteger(UInt8(ascii: "0") + UInt8(magnitude / divisor))
            magnitude %= divisor
            divisor /= 10
        }
    }
}
