import NIOCore

/// One reply (or push message) from a Redis server, in the RESP3 protocol's types.
///
/// RESP2 replies map onto the same cases: a RESP2 null bulk string is `.bulkString(nil)` and a
/// RESP2 null array is `.array(nil)`; RESP3's own null is ``null``. Attributes (`|`) are read
/// and dropped by the decoder, so they never appear here.
public enum RESPValue: Sendable, Hashable {
    /// A simple string (`+OK`): short status text.
    case simpleString(String)
    /// A simple error (`-ERR message`): the whole line after the `-`.
    case simpleError(String)
    /// A signed 64-bit integer (`:42`).
    case integer(Int64)
    /// A bulk string (`$5`), binary safe; `nil` for the RESP2 null bulk string (`$-1`).
    case bulkString(ByteBuffer?)
    /// An array (`*2`); `nil` for the RESP2 null array (`*-1`).
    case array([RESPValue]?)
    /// RESP3's null (`_`).
    case null
    /// A double (`,3.14`, `,inf`, `,-inf`, `,nan`).
    case double(Double)
    /// A boolean (`#t` or `#f`).
    case boolean(Bool)
    /// A blob error (`!21`): an error whose message may hold any bytes.
    case blobError(String)
    /// A verbatim string (`=15`): a three-letter format (`txt`, `mkd`) and the text.
    case verbatimString(format: String, text: ByteBuffer)
    /// A big number (`(3492890328409238509324850943850943825024385`), kept as its decimal text.
    case bigNumber(String)
    /// A map (`%2`): key and value pairs in the order the server sent them.
    case map([RESPMapEntry])
    /// A set (`~3`): elements in the order the server sent them.
    case set([RESPValue])
    /// A push message (`>3`): out-of-band data such as a pub/sub message; never a command's reply.
    case push([RESPValue])
}

/// One key and value of a RESP3 map.
public struct RESPMapEntry: Sendable, Hashable {
    /// The entry's key.
    public var key: RESPValue
    /// The entry's value.
    public var value: RESPValue

    /// Makes an entry of a map.
    public init(key: RESPValue, value: RESPValue) {
        self.key = key
        self.value = value
    }
}

extension RESPValue {
    /// The error message when this value is a simple or blob error; `nil` otherwise.
    public var errorMessage: String? {
        switch self {
        case .simpleError(let message), .blobError(let message): return message
        default: return nil
        }
    }

    /// Whether this value is one of the null forms (`_`, `$-1`, `*-1`).
    public var isNull: Bool {
        switch self {
        case .null, .bulkString(nil), .array(nil): return true
        default: return false
        }
    }

    /// The value as text: simple, bulk and verbatim strings (decoded as UTF-8), integers, doubles
    /// and big numbers; `nil` for other types and nulls.
    public var string: String? {
        switch self {
        case .simpleString(let text), .bigNumber(let text): return text
        case .bulkString(let buffer?): return String(buffer: buffer)
        case .verbatimString(_, let text): return String(buffer: text)
        case .integer(let value): return String(value)
        case .double(let value): return String(value)
        default: return nil
        }
    }

    /// The value's bytes for bulk, simple and verbatim strings; `nil` otherwise.
    public var bytes: ByteBuffer? {
        switch self {
        case .bulkString(let buffer?): return buffer
        case .verbatimString(_, let text): return text
        case .simpleString(let text): return ByteBuffer(string: text)
        default: return nil
        }
    }

    /// The value as an integer: integers, and strings that hold a decimal integer (Redis returns
    /// numbers from scripts and some commands as bulk strings); `nil` otherwise.
    public var int: Int64? {
        switch self {
        case .integer(let value): return value
        case .simpleString, .bulkString, .bigNumber: return self.string.flatMap { Int64($0) }
        default: return nil
        }
    }

    /// The elements of an array, set or push message; `nil` for other types and the null array.
    public var elements: [RESPValue]? {
        switch self {
        case .array(let values?), .set(let values), .push(let values): return values
        default: return nil
        }
    }

    /// A short name of the value's type, for error messages (`bulk string`, `map`, ...).
    public var typeName: String {
        switch self {
        case .simpleString: return "simple string"
        case .simpleError: return "error"
        case .integer: return "integer"
        case .bulkString(nil): return "null bulk string"
        case .bulkString: return "bulk string"
        case .array(nil): return "null array"
        case .array: return "array"
        case .null: return "null"
        case .double: return "double"
        case .boolean: return "boolean"
        case .blobError: return "blob error"
        case .verbatimString: return "verbatim string"
        case .bigNumber: return "big number"
        case .map: return "map"
        case .set: return "set"
        case .push: return "push"
        }
    }
}
