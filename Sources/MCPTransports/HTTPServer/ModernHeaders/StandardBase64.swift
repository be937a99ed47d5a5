/// Standard base64 (RFC 4648 section 4: `+` and `/`, with `=` padding), strict in both directions,
/// for the `=?base64?…?=` header sentinel. Only canonical text decodes: the length is a multiple
/// of four, padding only at the end, and the unused low bits of the last character are zero, so
/// every byte string has exactly one accepted spelling.
enum StandardBase64 {
    private static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// The padded encoding of `bytes`.
    static func encode<Bytes: Collection>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        var output: [UInt8] = []
        output.reserveCapacity((bytes.count + 2) / 3 * 4)
        var iterator = bytes.makeIterator()
        while let first = iterator.next() {
            let second = iterator.next()
            let third = iterator.next()
            let word = UInt32(first) << 16 | UInt32(second ?? 0) << 8 | UInt32(third ?? 0)
            output.append(alphabet[Int(word >> 18 & 0x3F)])
            output.append(alphabet[Int(word >> 12 & 0x3F)])
            output.append(second == nil ? UInt8(ascii: "=") : alphabet[Int(word >> 6 & 0x3F)])
            output.append(third == nil ? UInt8(ascii: "=") : alphabet[Int(word & 0x3F)])
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// The bytes of canonical padded base64 text; nil for anything else (wrong length, a character
    /// outside the alphabet, misplaced padding, non-zero trailing bits).
    static func decode<Text: Collection>(_ text: Text) -> [UInt8]? where Text.Element == UInt8 {
        let characters = Array(text)
        guard characters.count % 4 == 0 else { return nil }
        var output: [UInt8] = []
        output.reserveCapacity(characters.count / 4 * 3)
        var index = 0
        while index < characters.count {
            let isLast = index + 4 == characters.count
            var values: [UInt32] = [0, 0, 0, 0]
            var padding = 0
            for offset in 0..<4 {
                let character = characters[index + offset]
                if character == UInt8(ascii: "=") {
                    // Padding: only in the last quantum, only in the last two places, and only trailing.
                    guard isLast, offset >= 2 else { return nil }
                    padding += 1
                    continue
                }
                guard padding == 0, let value = value(of: character) else { return nil }
                values[offset] = UInt32(value)
            }
            let word = values[0] << 18 | values[1] << 12 | values[2] << 6 | values[3]
            output.append(UInt8(word >> 16 & 0xFF))
            switch padding {
            case 0:
                output.append(UInt8(word >> 8 & 0xFF))
                output.append(UInt8(word & 0xFF))
            case 1:
                guard word & 0xFF == 0 else { return nil }
                output.append(UInt8(word >> 8 & 0xFF))
            default:
                guard word & 0xFFFF == 0 else { return nil }
            }
            index += 4
        }
        return output
    }

    /// The six-bit value of one alphabet character, or nil.
    private static func value(of character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): return character - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): return character - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return character - UInt8(ascii: "0") + 52
        case UInt8(ascii: "+"): return 62
        case UInt8(ascii: "/"): return 63
        default: return nil
        }
    }
}
