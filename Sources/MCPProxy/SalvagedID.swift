import NIOCore

/// The top-level `"id"` of a message the proxy could not read (too long, invalid UTF-8,
/// truncated), found by a lenient scan, so the request it answers can fail at once instead of
/// waiting for its timeout.
enum SalvagedID {
    /// The id token's bytes (a number or a JSON string, as written), if `bytes` shows one at
    /// depth 1 of an object. Nothing is validated beyond the token itself.
    static func find(in bytes: ByteBuffer) -> [UInt8]? {
        bytes.withUnsafeReadableBytes { find(in: $0) }
    }

    static func find(in bytes: UnsafeRawBufferPointer) -> [UInt8]? {
        var depth = 0
        var index = 0
        let count = bytes.count
        var expectingKey = false
        while index < count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
                expectingKey = byte == UInt8(ascii: "{")
                index += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
                index += 1
            case UInt8(ascii: ","):
                expectingKey = true
                index += 1
            case UInt8(ascii: "\""):
                let start = index
                index = skipString(bytes, from: index)
                guard depth == 1, expectingKey else { continue }
                expectingKey = false
                let isID = index - start == 4 && bytes[start + 1] == UInt8(ascii: "i") && bytes[start + 2] == UInt8(ascii: "d")
                guard isID else { continue }
                while index < count, bytes[index] == UInt8(ascii: " ") || bytes[index] == UInt8(ascii: ":") { index += 1 }
                guard index < count else { return nil }
                if bytes[index] == UInt8(ascii: "\"") {
                    let end = skipString(bytes, from: index)
                    return end <= count && end > index + 1 ? Array(bytes[index..<end]) : nil
                }
                var end = index
                while end < count, bytes[end] == UInt8(ascii: "-") || (bytes[end] >= UInt8(ascii: "0") && bytes[end] <= UInt8(ascii: "9")) { end += 1 }
                return end > index && end < count ? Array(bytes[index..<end]) : nil
            default:
                index += 1
            }
        }
        return nil
    }

    /// The index just past the string that starts at `start` (a quote).
    private static func skipString(_ bytes: UnsafeRawBufferPointer, from start: Int) -> Int {
        var index = start + 1
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\\"): index += 2
            case UInt8(ascii: "\""): return index + 1
            default: index += 1
            }
        }
        return bytes.count + 1
    }
}
