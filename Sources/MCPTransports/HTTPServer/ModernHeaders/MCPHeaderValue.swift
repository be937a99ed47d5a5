/// The value codec of the 2026-07-28 Streamable HTTP request headers that mirror the body
/// (`Mcp-Name` and `Mcp-Param-*`): a value that is safe header text is sent verbatim, anything
/// else as the sentinel `=?base64?<standard base64 of the UTF-8 bytes>?=`.
///
/// The rules are those of the spec and of the official Python SDK (`encode_header_value`,
/// `decode_header_value`), so both ends agree byte for byte:
/// - safe text is printable ASCII (0x20–0x7E) only, with no leading or trailing space, and not
///   itself shaped like the sentinel; everything else is wrapped;
/// - the markers are lowercase and case-sensitive;
/// - decoding accepts only canonical base64 of valid UTF-8, so a corrupt header never matches a
///   body value by accident.
public enum MCPHeaderValue {
    /// The opening marker, `=?base64?`.
    public static let sentinelPrefix = "=?base64?"
    /// The closing marker, `?=`.
    public static let sentinelSuffix = "?="

    /// The header text for `value`: `value` itself when it is safe header text, else the sentinel.
    public static func encode(_ value: String) -> String {
        if isSafeVerbatim(value) { return value }
        return sentinelPrefix + StandardBase64.encode(value.utf8) + sentinelSuffix
    }

    /// The value a header carries, or nil when it cannot stand for any value:
    /// - sentinel-shaped text (`=?base64?…?=`) decodes to its payload, which must be canonical
    ///   padded standard base64 of valid UTF-8 (nil otherwise);
    /// - any other text is the value itself, provided every character is a horizontal tab or
    ///   printable ASCII (nil otherwise: the spec counts invalid characters as a mismatch, and a
    ///   conforming sender wraps such values).
    public static func decode(_ header: String) -> String? {
        let bytes = header.utf8
        if isSentinelShaped(header) {
            let payload = bytes.dropFirst(sentinelPrefix.utf8.count).dropLast(sentinelSuffix.utf8.count)
            guard let decoded = StandardBase64.decode(payload) else { return nil }
            return String(validating: decoded, as: UTF8.self)
        }
        guard bytes.allSatisfy({ $0 == 0x09 || (0x20...0x7E).contains($0) }) else { return nil }
        return header
    }

    /// True when `value` may be sent verbatim: printable ASCII only, no leading or trailing
    /// space, and not shaped like the sentinel. The empty string is safe.
    public static func isSafeVerbatim(_ value: String) -> Bool {
        let bytes = value.utf8
        guard bytes.allSatisfy({ (0x20...0x7E).contains($0) }) else { return false }
        if bytes.first == 0x20 || bytes.last == 0x20 { return false }
        return !isSentinelShaped(value)
    }

    /// True when `text` starts with `=?base64?` and ends with `?=` (the two markers do not overlap),
    /// whatever lies between.
    public static func isSentinelShaped(_ text: String) -> Bool {
        let bytes = text.utf8
        return bytes.count >= sentinelPrefix.utf8.count + sentinelSuffix.utf8.count
            && bytes.starts(with: sentinelPrefix.utf8)
            && bytes.reversed().starts(with: sentinelSuffix.utf8.reversed())
    }
}
