/// Unpadded base64url (RFC 4648 section 5): the proxy's cursors and, in MCPSecurity, JWT parts.
public enum Base64URL {
    private static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// Encodes without `=` padding.
    public static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count * 4 + 2) / 3)
        var i = 0
        while i < bytes.count {
            let b0 = UInt32(bytes[i])
            let b1 = i + 1 < bytes.count ? UInt32(bytes[i + 1]) : 0
            let b2 = i + 2 < bytes.count ? UInt32(bytes[i + 2]) : 0
            let group = b0 << 16 | b1 << 8 | b2
            let available = Swift.min(bytes.count - i, 3) + 1
            for k in 0..<available {
                out.append(alphabet[Int((group >> UInt32(18 - 6 * k)) & 0x3F)])
            }
            i += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes unpadded base64url; `nil` for any character outside the alphabet (padding
    /// included) or an impossible length. `canonical` also refuses unused trailing bits that are
    /// not zero, so each byte string has exactly one encoding.
    @inlinable
    public static func decode<C: Collection>(_ text: C, canonical: Bool = true) -> [UInt8]? where C.Element == UInt8 {
        var out: [UInt8] = []
        out.reserveCapacity(text.count * 3 / 4)
        var accumulator: UInt32 = 0
        var bits = 0
        for char in text {
            guard let value = sextet(char) else { return nil }
            accumulator = (accumulator << 6) | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
                accumulator &= (1 << UInt32(bits)) - 1
            }
        }
        // A leftover of 6 bits means a lone character: never produced by an encoder.
        guard bits < 6, !canonical || accumulator == 0 else { return nil }
        return out
    }

    /// Decodes the UTF-8 of `text` (see ``decode(_:canonical:)``).
    public static func decode(_ text: String, canonical: Bool = true) -> [UInt8]? {
        decode(text.utf8, canonical: canonical)
    }

    /// The value of one base64url character, or nil.
    @inline(__always)
    public static func sextet(_ char: UInt8) -> UInt8? {
        switch char {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): char - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): char - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): char - UInt8(ascii: "0") + 52
        case UInt8(ascii: "-"): 62
        case UInt8(ascii: "_"): 63
        default: nil
        }
    }
}
