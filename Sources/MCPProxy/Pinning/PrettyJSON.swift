import JSONRPC

/// Indented JSON (two spaces, keys sorted by their UTF-8 bytes) for files people read and diff:
/// the pin file and definitions shown by `mcp-proxy pins list`.
public enum PrettyJSON {
    /// `value` indented, without a trailing newline.
    public static func text(_ value: JSONValue) -> String {
        var bytes: [UInt8] = []
        append(value, indent: 0, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    static func append(_ value: JSONValue, indent: Int, to bytes: inout [UInt8]) {
        switch value {
        case .array(let elements) where !elements.isEmpty:
            bytes.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                newline(indent + 1, &bytes)
                append(element, indent: indent + 1, to: &bytes)
            }
            newline(indent, &bytes)
            bytes.append(UInt8(ascii: "]"))
        case .object(let members) where !members.isEmpty:
            bytes.append(UInt8(ascii: "{"))
            let keys = members.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            for (index, key) in keys.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                newline(indent + 1, &bytes)
                JSONString.append(key, to: &bytes)
                bytes.append(contentsOf: ": ".utf8)
                append(members[key] ?? .null, indent: indent + 1, to: &bytes)
            }
            newline(indent, &bytes)
            bytes.append(UInt8(ascii: "}"))
        default:
            value.append(to: &bytes)
        }
    }

    private static func newline(_ indent: Int, _ bytes: inout [UInt8]) {
        bytes.append(0x0A)
        bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: indent * 2))
    }
}
