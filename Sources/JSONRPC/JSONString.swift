import NIOCore

/// JSON string escaping per RFC 8259: `"` and `\` are backslash-escaped, control characters
/// (below U+0020) become `\u00XX`, everything else is copied as UTF-8.
public enum JSONString {
    /// The string as a JSON token, quotes included.
    public static func encode(_ string: String) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(encodedCount(string))
        append(string, to: &bytes)
        return bytes
    }

    /// Appends the string as a JSON token, quotes included.
    public static func append(_ string: String, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                bytes.append(UInt8(ascii: "\\"))
                bytes.append(byte)
            case 0..<0x20:
                bytes.append(contentsOf: [
                    UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                    hexDigit(byte >> 4), hexDigit(byte & 0x0F),
                ])
            default:
                bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Length of `encode(string)` without building it.
    public static func encodedCount(_ string: String) -> Int {
        var count = 2
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): count += 2
            case 0..<0x20: count += 6
            default: count += 1
            }
        }
        return count
    }

    /// Writes the string as a JSON token into `buffer` without intermediate arrays.
    public static func write(_ string: String, to buffer: inout ByteBuffer) {
        let count = encodedCount(string)
        if count == string.utf8.count + 2 {
            buffer.writeInteger(UInt8(ascii: "\""))
            buffer.writeString(string)
            buffer.writeInteger(UInt8(ascii: "\""))
            return
        }
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { target in
            var index = 0
            func put(_ byte: UInt8) {
                target[index] = byte
                index += 1
            }
            put(UInt8(ascii: "\""))
            for byte in string.utf8 {
                switch byte {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                    put(UInt8(ascii: "\\"))
                    put(byte)
                case 0..<0x20:
                    put(UInt8(ascii: "\\"))
                    put(UInt8(ascii: "u"))
                    put(UInt8(ascii: "0"))
                    put(UInt8(ascii: "0"))
                    put(hexDigit(byte >> 4))
                    put(hexDigit(byte & 0x0F))
                default:
                    put(byte)
                }
            }
            put(UInt8(ascii: "\""))
            return index
        }
    }

    @inline(__always)
    static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? nibble + UInt8(ascii: "0") : nibble - 10 + UInt8(ascii: "a")
    }
}
