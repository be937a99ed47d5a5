/// A request id or progress token: a string or an integer, as MCP allows.
public enum JSONRPCID: Hashable, Sendable, CustomStringConvertible {
    /// An integer id.
    case number(Int64)
    /// A string id, decoded (escapes resolved).
    case string(String)

    /// The canonical compact JSON encoding: `42` or `"abc"` (escaped).
    public var jsonBytes: [UInt8] {
        switch self {
        case .number(let value):
            return DecimalWriter.bytes(value)
        case .string(let value):
            return JSONString.encode(value)
        }
    }

    /// The JSON form, so `1` and `"1"` read differently in logs.
    public var description: String {
        switch self {
        case .number(let value): return String(value)
        case .string: return String(decoding: jsonBytes, as: UTF8.self)
        }
    }
}
