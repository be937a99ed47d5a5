import Crypto
import JSONRPC

/// The fingerprint of a tool definition for tool-definition pinning: the SHA-256 of its
/// canonical JSON form, written `sha256:` and 64 lowercase hex digits.
///
/// The canonical form keeps only the fields that say what a tool is and does (``fields``: name,
/// title, description, inputSchema, outputSchema, annotations), drops those that are `null`,
/// sorts object keys by their UTF-8 bytes, has no insignificant whitespace, writes strings with
/// the minimal escapes (so `"\u0041"` and `"A"` are the same), and writes numbers by value (so
/// `1`, `1.0` and `1e0` are the same). Reordering keys or reformatting is therefore not a
/// change; any change of a value is.
public struct ToolFingerprint: Hashable, Sendable, CustomStringConvertible {
    /// `sha256:` followed by 64 lowercase hex digits.
    public let value: String

    /// The members of a tool object that are fingerprinted; `_meta`, `icons` and anything else
    /// may change freely.
    public static let fields = ["name", "title", "description", "inputSchema", "outputSchema", "annotations"]

    /// The fingerprint of a tool object as an upstream lists it.
    public init(definition: JSONValue) {
        let bytes = Self.canonicalBytes(definition)
        var text = "sha256:"
        text.reserveCapacity(71)
        for byte in SHA256.hash(data: bytes) {
            text.append(Self.hexDigits[Int(byte >> 4)])
            text.append(Self.hexDigits[Int(byte & 0x0F)])
        }
        value = text
    }

    /// A fingerprint read back (from a pin file); nil unless it is `sha256:` and 64 hex digits.
    public init?(_ text: String) {
        let lowered = text.lowercased()
        guard lowered.hasPrefix("sha256:") else { return nil }
        let digits = lowered.dropFirst(7)
        guard digits.count == 64, digits.allSatisfy(\.isHexDigit) else { return nil }
        value = lowered
    }

    /// The value, e.g. `sha256:9f86d0…`.
    public var description: String { value }

    /// The first 12 hex digits, for tables.
    public var short: String { String(value.dropFirst(7).prefix(12)) }

    /// The part of a tool object that is fingerprinted, normalized: only ``fields``, no `null`
    /// members at the top, integral numbers as integers.
    public static func canonicalDefinition(_ tool: JSONValue) -> JSONValue {
        guard case .object(let members) = tool else { return normalized(tool) }
        var kept: [String: JSONValue] = [:]
        for field in fields {
            guard let value = members[field], value != .null else { continue }
            kept[field] = normalized(value)
        }
        return .object(kept)
    }

    /// The canonical JSON bytes that are hashed.
    public static func canonicalBytes(_ tool: JSONValue) -> [UInt8] {
        canonicalDefinition(tool).encoded
    }

    /// Numbers by value: a double with an integral value that fits Int64 becomes that integer
    /// (also -0.0, which becomes 0).
    private static func normalized(_ value: JSONValue) -> JSONValue {
        switch value {
        case .double(let double):
            if double.isFinite, double == double.rounded(), double >= -9.2e18, double <= 9.2e18 {
                return .int(Int64(double))
            }
            return value
        case .array(let elements):
            return .array(elements.map(normalized))
        case .object(let members):
            return .object(members.mapValues(normalized))
        case .null, .bool, .int, .string:
            return value
        }
    }

    private static let hexDigits = Array("0123456789abcdef")
}
