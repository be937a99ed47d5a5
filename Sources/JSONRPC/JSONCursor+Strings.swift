extension JSONCursor {
    /// At `"`: validates a string (escapes, surrogate pairs, UTF-8, no raw control characters)
    /// and moves past its closing quote.
    mutating func scanString() throws(JSONRPCScanError) -> StringToken {
        let start = pos
        var index = pos + 1
        var escaped = false
        while true {
            index = firstByteNeedingAttention(from: index)
            guard index < end else {
                throw syntaxError(
                    "unterminated string (opened at byte \(start)); the message is truncated", at: end)
            }
            let byte = base[index]
            if byte == UInt8(ascii: "\"") {
                pos = index + 1
                return StringToken(start: start, end: index + 1, hasEscapes: escaped)
            } else if byte == UInt8(ascii: "\\") {
                escaped = true
                index = try scanEscape(at: index)
            } else if byte < 0x20 {
                throw syntaxError(
                    "raw control character \(JSONCursor.describe(byte)) in a string; escape it as \\u00XX",
                    at: index)
            } else if byte < 0x80 {
                index += 1
            } else {
                index = try scanUTF8(at: index)
            }
        }
    }

    /// The first byte at or after `index` that is a quote, a backslash, a control character or
    /// non-ASCII (or the index of the last byte or two when fewer than eight remain): eight bytes
    /// at a time while none needs a closer look, then straight to the first that does.
    @inline(__always)
    func firstByteNeedingAttention(from index: Int) -> Int {
        var index = index
        while index + 8 <= end {
            let word = UInt64(littleEndian: UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self))
            let attention = JSONCursor.attentionMask(word)
            if attention != 0 {
                return index + attention.trailingZeroBitCount >> 3
            }
            index += 8
        }
        return index
    }

    /// The high bit of each byte of `word` (little-endian: byte 0 is the lowest) that is a
    /// quote, a backslash, a control character or non-ASCII. Bytes above the first flagged one
    /// may be flagged falsely (a borrow carries upward), so only the lowest set bit is exact:
    /// `trailingZeroBitCount / 8` is the offset of the first byte that needs a closer look.
    @inline(__always)
    static func attentionMask(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let belowSpace = (word &- ones &* 0x20) & ~word
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        let hasQuote = (quote &- ones) & ~quote
        let hasBackslash = (backslash &- ones) & ~backslash
        return (word | belowSpace | hasQuote | hasBackslash) & highs
    }

    /// At `\`: validates one escape; returns the index after it.
    func scanEscape(at index: Int) throws(JSONRPCScanError) -> Int {
        guard index + 1 < end else {
            throw syntaxError("unterminated escape sequence; the message is truncated", at: index)
        }
        switch base[index + 1] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
            UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            return index + 2
        case UInt8(ascii: "u"):
            let unit = try hex4(at: index + 2)
            switch unit {
            case 0xD800...0xDBFF:
                guard index + 7 < end, base[index + 6] == UInt8(ascii: "\\"), base[index + 7] == UInt8(ascii: "u")
                else {
                    throw syntaxError(
                        "lone high surrogate \\u\(String(unit, radix: 16, uppercase: true)); follow it with a low surrogate \\uDC00-\\uDFFF",
                        at: index)
                }
                let low = try hex4(at: index + 8)
                guard (0xDC00...0xDFFF).contains(low) else {
                    throw syntaxError(
                        "high surrogate \\u\(String(unit, radix: 16, uppercase: true)) followed by \\u\(String(low, radix: 16, uppercase: true)), not a low surrogate \\uDC00-\\uDFFF",
                        at: index)
                }
                return index + 12
            case 0xDC00...0xDFFF:
                throw syntaxError(
                    "lone low surrogate \\u\(String(unit, radix: 16, uppercase: true)); it must follow a high surrogate \\uD800-\\uDBFF",
                    at: index)
            default:
                return index + 6
            }
        default:
            throw syntaxError(
                "invalid escape: backslash followed by \(JSONCursor.describe(base[index + 1])); valid escapes are \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX",
                at: index)
        }
    }

    /// Four hex digits at `index`.
    func hex4(at index: Int) throws(JSONRPCScanError) -> UInt16 {
        guard index + 4 <= end else {
            throw syntaxError("truncated \\u escape; it needs four hex digits", at: index)
        }
        var value: UInt16 = 0
        for offset in 0..<4 {
            guard let digit = JSONStringDecoding.hexValue(base[index + offset]) else {
                throw syntaxError(
                    "invalid hex digit \(JSONCursor.describe(base[index + offset])) in a \\u escape", at: index + offset)
            }
            value = value << 4 | UInt16(digit)
        }
        return value
    }

    /// At a byte >= 0x80: validates one UTF-8 sequence (Unicode table 3-7); returns the index after it.
    func scanUTF8(at index: Int) throws(JSONRPCScanError) -> Int {
        let lead = base[index]
        let length: Int
        var lowest: UInt8 = 0x80
        var highest: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; lowest = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; highest = 0x9F
        case 0xF0: length = 4; lowest = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; highest = 0x8F
        default:
            throw syntaxError(
                "invalid UTF-8: \(JSONCursor.describe(lead)) cannot start a character (overlong, out of range or a stray continuation byte)",
                at: index)
        }
        guard index + length <= end else {
            throw syntaxError("truncated UTF-8 sequence; the message is cut inside a character", at: index)
        }
        let second = base[index + 1]
        guard second >= lowest, second <= highest else {
            throw syntaxError(
                "invalid UTF-8 sequence starting with \(JSONCursor.describe(lead)) (overlong, surrogate, above U+10FFFF or truncated)",
                at: index)
        }
        var offset = 2
        while offset < length {
            guard base[index + offset] & 0xC0 == 0x80 else {
                throw syntaxError(
                    "invalid UTF-8: expected a continuation byte, found \(JSONCursor.describe(base[index + offset]))",
                    at: index + offset)
            }
            offset += 1
        }
        return index + length
    }
}
