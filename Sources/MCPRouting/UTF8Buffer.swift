/// Byte-level helpers shared by the matchers: contiguous access, comparison and scalar stepping.
@usableFromInline
enum UTF8Buffer {
    /// Runs `body` over the bytes of `bytes` as one contiguous buffer.
    ///
    /// Uses the collection's own storage when it has one (native strings, arrays, NIO views);
    /// otherwise copies into stack-allocated scratch space for the duration of the call.
    @inlinable @inline(__always)
    static func with<C: Collection, R>(
        _ bytes: C, _ body: (UnsafeBufferPointer<UInt8>) -> R
    ) -> R where C.Element == UInt8 {
        if let result = bytes.withContiguousStorageIfAvailable(body) {
            return result
        }
        let count = bytes.count
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Swift.max(count, 1)) { scratch in
            let initialized = scratch.initialize(fromContentsOf: bytes)
            return body(UnsafeBufferPointer(rebasing: scratch[0..<initialized]))
        }
    }

    /// Runs `body` over the UTF-8 bytes of `string`.
    @inline(__always)
    static func with<R>(_ string: String, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        with(string.utf8, body)
    }

    /// Whether `count` bytes at `a` equal those at `b`, compared eight at a time.
    @inline(__always)
    static func equal(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, count: Int) -> Bool {
        var i = 0
        let rawA = UnsafeRawPointer(a)
        let rawB = UnsafeRawPointer(b)
        while i + 8 <= count {
            if rawA.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                != rawB.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            {
                return false
            }
            i += 8
        }
        while i < count {
            if a[i] != b[i] { return false }
            i += 1
        }
        return true
    }

    /// Whether `needle` occurs in `haystack` at byte offset `offset` (which must leave room for it).
    @inline(__always)
    static func equal(
        _ haystack: UnsafeBufferPointer<UInt8>, at offset: Int, _ needle: UnsafeBufferPointer<UInt8>
    ) -> Bool {
        guard let h = haystack.baseAddress, let n = needle.baseAddress else { return needle.isEmpty }
        return equal(h + offset, n, count: needle.count)
    }

    /// The first up to eight bytes packed little-endian into a word (shorter inputs are zero-padded).
    @inline(__always)
    static func head(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var word: UInt64 = 0
        let n = Swift.min(bytes.count, 8)
        var i = 0
        while i < n {
            word |= UInt64(bytes[i]) << (8 * UInt64(i))
            i += 1
        }
        return word
    }

    /// The length in bytes of the scalar that starts at `index`: 1 for ASCII and for bytes that cannot
    /// lead a sequence; a truncated sequence consumes only the continuation bytes that are present.
    @inline(__always)
    static func scalarLength(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> Int {
        let lead = bytes[index]
        let expected: Int
        if lead < 0xC0 {
            return 1
        } else if lead < 0xE0 {
            expected = 2
        } else if lead < 0xF0 {
            expected = 3
        } else if lead < 0xF8 {
            expected = 4
        } else {
            return 1
        }
        var length = 1
        while length < expected, index + length < bytes.count, bytes[index + length] & 0xC0 == 0x80 {
            length += 1
        }
        return length
    }

    /// Decodes the scalar at `index`: its value (U+FFFD for malformed input) and its length in bytes,
    /// consistent with `scalarLength(_:at:)`.
    @inline(__always)
    static func decodeScalar(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> (value: UInt32, length: Int) {
        let lead = bytes[index]
        if lead < 0x80 { return (UInt32(lead), 1) }
        let length = scalarLength(bytes, at: index)
        let expected: Int
        var value: UInt32
        switch lead {
        case 0xC0..<0xE0:
            expected = 2
            value = UInt32(lead & 0x1F)
        case 0xE0..<0xF0:
            expected = 3
            value = UInt32(lead & 0x0F)
        case 0xF0..<0xF8:
            expected = 4
            value = UInt32(lead & 0x07)
        default:
            return (0xFFFD, length)
        }
        guard length == expected else { return (0xFFFD, length) }
        var k = 1
        while k < length {
            value = (value << 6) | UInt32(bytes[index + k] & 0x3F)
            k += 1
        }
        return (value, length)
    }
}
