/// Decodes the content of JSON string tokens. Memory-safe on any input (never reads outside
/// `start..<stop`); on validated input it is exact, on garbage it substitutes U+FFFD.
enum JSONStringDecoding {
    /// Value of one hex digit.
    @inline(__always)
    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    /// The string whose content (between the quotes) is `start..<stop`.
    static func string(_ base: UnsafePointer<UInt8>, from start: Int, to stop: Int, hasEscapes: Bool) -> String {
        let count = max(stop - start, 0)
        if !hasEscapes {
            return String(decoding: UnsafeBufferPointer(start: base + start, count: count), as: UTF8.self)
        }
        // Unescaping never makes the content longer.
        return String(unsafeUninitializedCapacity: count) { output in
            unescape(base, from: start, to: stop, into: output)
        }
    }

    /// The decoded UTF-8 bytes of the content `start..<stop`.
    static func bytes(_ base: UnsafePointer<UInt8>, from start: Int, to stop: Int) -> [UInt8] {
        let count = max(stop - start, 0)
        return [UInt8](unsafeUninitializedCapacity: count) { output, initialized in
            initialized = unescape(base, from: start, to: stop, into: output)
        }
    }

    /// Writes the unescaped content into `output` (at least `stop - start` bytes); returns the count.
    static func unescape(
        _ base: UnsafePointer<UInt8>, from start: Int, to stop: Int, into output: UnsafeMutableBufferPointer<UInt8>
    ) -> Int {
        var read = start
        var written = 0
        func put(_ byte: UInt8) {
            if written < output.count {
                output[written] = byte
                written += 1
            }
        }
        func putScalar(_ value: UInt32) {
            var value = value
            if value > 0x10FFFF || (0xD800...0xDFFF).contains(value) { value = 0xFFFD }
            switch value {
            case 0..<0x80:
                put(UInt8(value))
            case 0x80..<0x800:
                put(UInt8(0xC0 | value >> 6))
                put(UInt8(0x80 | value & 0x3F))
            case 0x800..<0x10000:
                put(UInt8(0xE0 | value >> 12))
                put(UInt8(0x80 | value >> 6 & 0x3F))
                put(UInt8(0x80 | value & 0x3F))
            default:
                put(UInt8(0xF0 | value >> 18))
                put(UInt8(0x80 | value >> 12 & 0x3F))
                put(UInt8(0x80 | value >> 6 & 0x3F))
                put(UInt8(0x80 | value & 0x3F))
            }
        }
        func hex4(_ at: Int) -> UInt32? {
            guard at + 4 <= stop else { return nil }
            var value: UInt32 = 0
            for offset in 0..<4 {
                guard let digit = hexValue(base[at + offset]) else { return nil }
                value = value << 4 | UInt32(digit)
            }
            return value
        }
        while read < stop {
            let byte = base[read]
            guard byte == UInt8(ascii: "\\"), read + 1 < stop else {
                put(byte)
                read += 1
                continue
            }
            let escape = base[read + 1]
            read += 2
            switch escape {
            case UInt8(ascii: "b"): put(0x08)
            case UInt8(ascii: "f"): put(0x0C)
            case UInt8(ascii: "n"): put(0x0A)
            case UInt8(ascii: "r"): put(0x0D)
            case UInt8(ascii: "t"): put(0x09)
            case UInt8(ascii: "u"):
                guard let unit = hex4(read) else {
                    putScalar(0xFFFD)
                    continue
                }
                read += 4
                if (0xD800...0xDBFF).contains(unit), read + 1 < stop, base[read] == UInt8(ascii: "\\"),
                    base[read + 1] == UInt8(ascii: "u"), let low = hex4(read + 2), (0xDC00...0xDFFF).contains(low)
                {
                    read += 6
                    putScalar(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))
                } else {
                    putScalar(unit)
                }
            default: put(escape)
            }
        }
        return written
    }
}
