import NIOCore

/// Read-only navigation over already validated JSON bytes, for off-hot-path work such as
/// catalogs and `initialize`. Navigation does not re-validate; on bytes that are not valid JSON it
/// stays memory-safe but its answers are unspecified.
public struct JSONView: Sendable {
    /// The JSON type of a value.
    public enum Kind: Sendable, Equatable {
        /// `{...}`
        case object
        /// `[...]`
        case array
        /// `"..."`
        case string
        /// A number token.
        case number
        /// `true` or `false`.
        case bool
        /// `null` (also reported for an empty range).
        case null
    }

    /// The whole document.
    public let buffer: ByteBuffer
    /// This value within `buffer`, as offsets relative to `buffer.readerIndex`.
    public let range: Range<Int>

    /// A view of `range` in `buffer`; the range is clamped to the readable bytes.
    init(buffer: ByteBuffer, range: Range<Int>) {
        let count = buffer.readableBytes
        let lower = min(max(range.lowerBound, 0), count)
        let upper = min(max(range.upperBound, lower), count)
        self.buffer = buffer
        self.range = lower..<upper
    }

    /// A view into a scanned message, e.g. `JSONView(message: m, range: m.envelope.paramsRange!)`.
    public init(message: JSONRPCMessage, range: Range<Int>) {
        self.init(buffer: message.bytes, range: range)
    }

    /// Validates `buffer` as one JSON value (any type) under `limits`, then returns its root.
    public static func parse(_ buffer: ByteBuffer, limits: ScanLimits = .default) throws(JSONRPCScanError) -> JSONView {
        let count = buffer.readableBytes
        guard count <= limits.maxMessageBytes else {
            throw JSONRPCScanError(
                kind: .messageTooLarge,
                message: "the document is \(count) bytes, over the limit of \(limits.maxMessageBytes); raise ScanLimits.maxMessageBytes",
                offset: limits.maxMessageBytes)
        }
        let root = try buffer.withUnsafeReadableBytes { (raw) throws(JSONRPCScanError) -> Range<Int> in
            guard let base = raw.baseAddress?.assumingMemoryBound(to: UInt8.self) else {
                throw JSONRPCScanError.empty
            }
            var cursor = JSONCursor(base: base, count: raw.count, maxDepth: limits.maxDepth)
            cursor.skipWhitespace()
            let start = cursor.pos
            _ = try cursor.skipValue(parentDepth: 0)
            let stop = cursor.pos
            try cursor.expectEnd()
            return start..<stop
        }
        return JSONView(buffer: buffer, range: root)
    }

    /// The type, from the first byte (`.null` for an empty range).
    public var kind: Kind {
        guard let first = buffer.getInteger(at: buffer.readerIndex + range.lowerBound, as: UInt8.self),
            !range.isEmpty
        else { return .null }
        switch first {
        case UInt8(ascii: "{"): return .object
        case UInt8(ascii: "["): return .array
        case UInt8(ascii: "\""): return .string
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return .bool
        case UInt8(ascii: "n"): return .null
        default: return .number
        }
    }

    /// The first member named `key` of an object; nil if absent or not an object.
    public subscript(key: String) -> JSONView? {
        guard kind == .object else { return nil }
        var key = key
        return key.withUTF8 { wanted in
            withBytes { base in
                var found: Range<Int>?
                JSONView.forEachMember(base, range) { keyStart, keyEnd, keyEscaped, value in
                    let matches: Bool
                    if keyEscaped {
                        let decoded = JSONStringDecoding.bytes(base, from: keyStart, to: keyEnd)
                        matches = decoded.elementsEqual(wanted)
                    } else {
                        matches = UnsafeBufferPointer(start: base + keyStart, count: keyEnd - keyStart).elementsEqual(wanted)
                    }
                    if matches { found = value }
                    return !matches
                }
                return found.map { JSONView(buffer: buffer, range: $0) }
            }
        }
    }

    /// The element at `index` of an array; nil if out of bounds or not an array.
    public subscript(index: Int) -> JSONView? {
        let all = elements
        return all.indices.contains(index) ? all[index] : nil
    }

    /// An object's members in document order (duplicates included); empty for non-objects.
    public var members: [(key: String, value: JSONView)] {
        guard kind == .object else { return [] }
        return withBytes { base in
            var result: [(key: String, value: JSONView)] = []
            JSONView.forEachMember(base, range) { keyStart, keyEnd, keyEscaped, value in
                let key = JSONStringDecoding.string(base, from: keyStart, to: keyEnd, hasEscapes: keyEscaped)
                result.append((key: key, value: JSONView(buffer: buffer, range: value)))
                return true
            }
            return result
        }
    }

    /// An array's elements in order; empty for non-arrays.
    public var elements: [JSONView] {
        guard kind == .array else { return [] }
        return withBytes { base in
            var result: [JSONView] = []
            let limit = range.upperBound
            var index = JSONView.skipWhitespace(base, range.lowerBound + 1, limit)
            if index < limit, base[index] == UInt8(ascii: "]") { return result }
            while index < limit {
                let stop = JSONView.valueEnd(base, index, limit)
                guard stop > index else { break }
                result.append(JSONView(buffer: buffer, range: index..<stop))
                index = JSONView.skipWhitespace(base, stop, limit)
                guard index < limit, base[index] == UInt8(ascii: ",") else { break }
                index = JSONView.skipWhitespace(base, index + 1, limit)
            }
            return result
        }
    }

    /// The decoded string; nil if not a string.
    public var string: String? {
        guard kind == .string, range.count >= 2 else { return nil }
        return withBytes { base in
            JSONStringDecoding.string(base, from: range.lowerBound + 1, to: range.upperBound - 1, hasEscapes: true)
        }
    }

    /// The integer value; nil if not an integer token (fraction or exponent) or outside Int64.
    public var int64: Int64? {
        guard kind == .number else { return nil }
        return withBytes { base in
            JSONNumbers.parseInt64(base, from: range.lowerBound, to: range.upperBound)
        }
    }

    /// The number as a Double; nil if not a number.
    public var double: Double? {
        guard kind == .number else { return nil }
        return withBytes { base in
            Double(String(decoding: UnsafeBufferPointer(start: base + range.lowerBound, count: range.count), as: UTF8.self))
        }
    }

    /// The boolean value; nil if not `true`/`false`.
    public var bool: Bool? {
        guard kind == .bool else { return nil }
        return buffer.getInteger(at: buffer.readerIndex + range.lowerBound, as: UInt8.self) == UInt8(ascii: "t")
    }

    /// True for `null`.
    public var isNull: Bool {
        !range.isEmpty && kind == .null
    }

    /// The exact bytes of this value.
    public var rawBytes: [UInt8] {
        buffer.getBytes(at: buffer.readerIndex + range.lowerBound, length: range.count) ?? []
    }

    // MARK: byte navigation (no validation, bounded by the range)

    private func withBytes<T>(_ body: (UnsafePointer<UInt8>) -> T) -> T {
        buffer.withUnsafeReadableBytes { raw in
            guard let base = raw.baseAddress?.assumingMemoryBound(to: UInt8.self) else {
                // Empty buffer: a one-byte dummy that no bounded loop reads.
                var dummy: UInt8 = 0
                return withUnsafePointer(to: &dummy) { body($0) }
            }
            return body(base)
        }
    }

    /// Calls `body(keyStart, keyEnd, keyHasEscapes, valueRange)` for each member of the object
    /// at `range` (key offsets exclude the quotes) until it returns false.
    static func forEachMember(
        _ base: UnsafePointer<UInt8>, _ range: Range<Int>, _ body: (Int, Int, Bool, Range<Int>) -> Bool
    ) {
        let limit = range.upperBound
        var index = skipWhitespace(base, range.lowerBound + 1, limit)
        while index < limit, base[index] == UInt8(ascii: "\"") {
            let keyStart = index + 1
            let (keyEnd, escaped) = stringEnd(base, index, limit)
            index = skipWhitespace(base, keyEnd, limit)
            guard index < limit, base[index] == UInt8(ascii: ":") else { return }
            index = skipWhitespace(base, index + 1, limit)
            let valueEnd = valueEnd(base, index, limit)
            guard valueEnd > index else { return }
            guard body(keyStart, max(keyEnd - 1, keyStart), escaped, index..<valueEnd) else { return }
            index = skipWhitespace(base, valueEnd, limit)
            guard index < limit, base[index] == UInt8(ascii: ",") else { return }
            index = skipWhitespace(base, index + 1, limit)
        }
    }

    static func skipWhitespace(_ base: UnsafePointer<UInt8>, _ start: Int, _ limit: Int) -> Int {
        var index = start
        while index < limit {
            switch base[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return index
            }
        }
        return index
    }

    /// At `"`: the index after the closing quote, and whether the string has escapes.
    static func stringEnd(_ base: UnsafePointer<UInt8>, _ start: Int, _ limit: Int) -> (Int, Bool) {
        var index = start + 1
        var escaped = false
        while index < limit {
            switch base[index] {
            case UInt8(ascii: "\\"):
                escaped = true
                index += 2
            case UInt8(ascii: "\""):
                return (index + 1, escaped)
            default:
                index += 1
            }
        }
        return (limit, escaped)
    }

    /// The index after the value starting at `start`.
    static func valueEnd(_ base: UnsafePointer<UInt8>, _ start: Int, _ limit: Int) -> Int {
        guard start < limit else { return start }
        switch base[start] {
        case UInt8(ascii: "\""):
            return stringEnd(base, start, limit).0
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            var index = start
            while index < limit {
                switch base[index] {
                case UInt8(ascii: "\""):
                    index = stringEnd(base, index, limit).0
                    continue
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth == 0 { return index + 1 }
                default:
                    break
                }
                index += 1
            }
            return limit
        default:
            var index = start
            while index < limit {
                switch base[index] {
                case 0x20, 0x0A, 0x0D, 0x09, UInt8(ascii: ","), UInt8(ascii: "]"), UInt8(ascii: "}"):
                    return index
                default:
                    index += 1
                }
            }
            return index
        }
    }
}
