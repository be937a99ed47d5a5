import NIOCore

/// Reads RESP3 (and RESP2) values from the readable bytes of a `ByteBuffer` without consuming
/// them: ``parse(_:)`` says either which value the bytes start with and how many bytes it took,
/// or that the bytes are an incomplete value and how many bytes are needed at least before it is
/// worth trying again (so that a large bulk string arriving in many reads is parsed once).
///
/// Every size and the nesting depth are checked against ``RESPLimits`` before anything is
/// allocated for them.
public struct RESPParser: Sendable {
    /// The outcome of one parse.
    public enum Outcome: Sendable, Equatable {
        /// A complete value that took the first `length` readable bytes.
        case value(RESPValue, length: Int)
        /// The bytes are the beginning of a value; try again when at least `needed` bytes are readable.
        case incomplete(needed: Int)
    }

    /// The limits every reply is checked against.
    public let limits: RESPLimits

    /// Makes a parser with the given limits.
    public init(limits: RESPLimits = .default) {
        self.limits = limits
    }

    /// Parses the value the buffer's readable bytes start with; throws ``RedisError/protocolError(_:)``
    /// for malformed input or input beyond the limits.
    public func parse(_ buffer: ByteBuffer) throws(RedisError) -> Outcome {
        let outcome = try self.value(in: buffer, at: 0, depth: 1)
        switch outcome {
        case .value(_, let length) where length > self.limits.maxReplyBytes,
            .incomplete(let length) where length > self.limits.maxReplyBytes:
            throw Self.failure("a reply of more than \(self.limits.maxReplyBytes) bytes (RESPLimits.maxReplyBytes)")
        default:
            return outcome
        }
    }

    // MARK: - Values

    private func value(in buffer: ByteBuffer, at offset: Int, depth: Int) throws(RedisError) -> Outcome {
        var offset = offset
        while true {
            guard depth <= self.limits.maxDepth else {
                throw Self.failure("replies nested deeper than \(self.limits.maxDepth) levels (RESPLimits.maxDepth)")
            }
            guard let type = buffer.getInteger(at: buffer.readerIndex + offset, as: UInt8.self) else {
                return .incomplete(needed: offset + 1)
            }
            guard let lineEnd = try self.lineEnd(in: buffer, from: offset + 1) else {
                return .incomplete(needed: buffer.readableBytes + 1)
            }
            let lineStart = offset + 1
            let next = lineEnd + 2
            switch type {
            case UInt8(ascii: "+"):
                return .value(.simpleString(Self.text(buffer, lineStart, lineEnd)), length: next)
            case UInt8(ascii: "-"):
                return .value(.simpleError(Self.text(buffer, lineStart, lineEnd)), length: next)
            case UInt8(ascii: ":"):
                return .value(.integer(try Self.integer(buffer, lineStart, lineEnd)), length: next)
            case UInt8(ascii: "_"):
                guard lineEnd == lineStart else { throw Self.failure("a null (_) with content") }
                return .value(.null, length: next)
            case UInt8(ascii: "#"):
                return .value(.boolean(try Self.boolean(buffer, lineStart, lineEnd)), length: next)
            case UInt8(ascii: ","):
                return .value(.double(try Self.double(buffer, lineStart, lineEnd)), length: next)
            case UInt8(ascii: "("):
                return .value(.bigNumber(try Self.bigNumber(buffer, lineStart, lineEnd)), length: next)
            case UInt8(ascii: "$"), UInt8(ascii: "!"), UInt8(ascii: "="):
                return try self.blob(type: type, in: buffer, lineStart: lineStart, lineEnd: lineEnd)
            case UInt8(ascii: "*"), UInt8(ascii: "~"), UInt8(ascii: ">"), UInt8(ascii: "%"):
                return try self.aggregate(type: type, in: buffer, lineStart: lineStart, lineEnd: lineEnd, depth: depth)
            case UInt8(ascii: "|"):
                // An attribute: a map of metadata about the value that follows. Read and drop it.
                switch try self.aggregate(type: type, in: buffer, lineStart: lineStart, lineEnd: lineEnd, depth: depth) {
                case .incomplete(let needed): return .incomplete(needed: needed)
                case .value(_, let length): offset = length
                }
            default:
                throw Self.failure("an unknown RESP type byte 0x\(String(type, radix: 16)) (is this a Redis server?)")
            }
        }
    }

    private func blob(type: UInt8, in buffer: ByteBuffer, lineStart: Int, lineEnd: Int) throws(RedisError) -> Outcome {
        if lineEnd - lineStart == 1, buffer.getInteger(at: buffer.readerIndex + lineStart, as: UInt8.self) == UInt8(ascii: "?") {
            throw Self.failure("a streamed string ($?), which this client does not support")
        }
        let length = try Self.integer(buffer, lineStart, lineEnd)
        let dataStart = lineEnd + 2
        if length == -1, type == UInt8(ascii: "$") {
            return .value(.bulkString(nil), length: dataStart)
        }
        guard length >= 0 else { throw Self.failure("a negative length \(length)") }
        guard length <= self.limits.maxBulkLength else {
            throw Self.failure("a string of \(length) bytes, more than \(self.limits.maxBulkLength) (RESPLimits.maxBulkLength)")
        }
        let end = dataStart + Int(length)
        guard end + 2 <= buffer.readableBytes else { return .incomplete(needed: end + 2) }
        guard buffer.getInteger(at: buffer.readerIndex + end, as: UInt16.self) == Self.crlf else {
            throw Self.failure("a string not ended by CRLF after its declared \(length) bytes")
        }
        let data = buffer.getSlice(at: buffer.readerIndex + dataStart, length: Int(length)) ?? ByteBuffer()
        switch type {
        case UInt8(ascii: "$"):
            return .value(.bulkString(data), length: end + 2)
        case UInt8(ascii: "!"):
            return .value(.blobError(String(buffer: data)), length: end + 2)
        default:
            guard length >= 4, data.getInteger(at: data.readerIndex + 3, as: UInt8.self) == UInt8(ascii: ":") else {
                throw Self.failure("a verbatim string without its 'fmt:' prefix")
            }
            let format = data.getString(at: data.readerIndex, length: 3) ?? ""
            let text = data.getSlice(at: data.readerIndex + 4, length: Int(length) - 4) ?? ByteBuffer()
            return .value(.verbatimString(format: format, text: text), length: end + 2)
        }
    }

    private func aggregate(type: UInt8, in buffer: ByteBuffer, lineStart: Int, lineEnd: Int, depth: Int) throws(RedisError) -> Outcome {
        if lineEnd - lineStart == 1, buffer.getInteger(at: buffer.readerIndex + lineStart, as: UInt8.self) == UInt8(ascii: "?") {
            throw Self.failure("a streamed aggregate (?), which this client does not support")
        }
        let count = try Self.integer(buffer, lineStart, lineEnd)
        var offset = lineEnd + 2
        if count == -1, type == UInt8(ascii: "*") {
            return .value(.array(nil), length: offset)
        }
        guard count >= 0 else { throw Self.failure("a negative element count \(count)") }
        guard count <= self.limits.maxAggregateCount else {
            throw Self.failure("an aggregate of \(count) elements, more than \(self.limits.maxAggregateCount) (RESPLimits.maxAggregateCount)")
        }
        let isMap = type == UInt8(ascii: "%") || type == UInt8(ascii: "|")
        guard !isMap || count <= Int64(Int.max / 2) else { throw Self.failure("a map of \(count) entries") }
        let elementCount = isMap ? Int(count) * 2 : Int(count)
        var elements: [RESPValue] = []
        // Reserve by what the bytes can hold (each element takes at least 3 bytes), not by what the
        // server declares, so a declared count costs nothing until its elements arrive.
        elements.reserveCapacity(min(elementCount, max(0, buffer.readableBytes - offset) / 3))
        for _ in 0..<elementCount {
            switch try self.value(in: buffer, at: offset, depth: depth + 1) {
            case .incomplete(let needed): return .incomplete(needed: needed)
            case .value(let element, let length):
                elements.append(element)
                offset = length
            }
        }
        switch type {
        case UInt8(ascii: "*"): return .value(.array(elements), length: offset)
        case UInt8(ascii: "~"): return .value(.set(elements), length: offset)
        case UInt8(ascii: ">"): return .value(.push(elements), length: offset)
        default:
            var entries: [RESPMapEntry] = []
            entries.reserveCapacity(elements.count / 2)
            var index = 0
            while index + 1 < elements.count {
                entries.append(RESPMapEntry(key: elements[index], value: elements[index + 1]))
                index += 2
            }
            return .value(.map(entries), length: offset)
        }
    }

    // MARK: - Lines

    private static let crlf = UInt16(UInt8(ascii: "\r")) << 8 | UInt16(UInt8(ascii: "\n"))

    /// The offset of the CR of the line that starts at `start`, or `nil` when the line is not
    /// complete yet; throws when it is too long or has a CR not followed by LF.
    private func lineEnd(in buffer: ByteBuffer, from start: Int) throws(RedisError) -> Int? {
        let limit = self.limits.maxLineLength
        let found: Int? = buffer.withUnsafeReadableBytes { bytes in
            guard start < bytes.count else { return nil }
            let end = min(bytes.count, start + limit + 1)
            var index = start
            while index < end {
                if bytes[index] == UInt8(ascii: "\r") { return index }
                index += 1
            }
            return nil
        }
        if let found {
            guard let lf = buffer.getInteger(at: buffer.readerIndex + found + 1, as: UInt8.self) else { return nil }
            guard lf == UInt8(ascii: "\n") else { throw Self.failure("a CR not followed by LF") }
            return found
        }
        if buffer.readableBytes - start > limit {
            throw Self.failure("a line longer than \(limit) bytes (RESPLimits.maxLineLength)")
        }
        return nil
    }

    private static func text(_ buffer: ByteBuffer, _ start: Int, _ end: Int) -> String {
        buffer.getString(at: buffer.readerIndex + start, length: end - start) ?? ""
    }

    private static func integer(_ buffer: ByteBuffer, _ start: Int, _ end: Int) throws(RedisError) -> Int64 {
        let parsed: Int64? = buffer.withUnsafeReadableBytes { bytes in
            var index = start
            var negative = false
            if index < end, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
                negative = bytes[index] == UInt8(ascii: "-")
                index += 1
            }
            guard index < end, end - index <= 19 else { return nil }
            var value: Int64 = 0
            while index < end {
                let digit = bytes[index] &- UInt8(ascii: "0")
                guard digit <= 9 else { return nil }
                let (times10, o1) = value.multipliedReportingOverflow(by: 10)
                let (sum, o2) = times10.addingReportingOverflow(Int64(digit))
                guard !o1, !o2 else { return nil }
                value = sum
                index += 1
            }
            return negative ? -value : value
        }
        guard let parsed else {
            throw Self.failure("an invalid integer '\(Self.text(buffer, start, end).prefix(40))'")
        }
        return parsed
    }

    private static func boolean(_ buffer: ByteBuffer, _ start: Int, _ end: Int) throws(RedisError) -> Bool {
        guard end - start == 1 else { throw Self.failure("an invalid boolean") }
        switch buffer.getInteger(at: buffer.readerIndex + start, as: UInt8.self) {
        case UInt8(ascii: "t"): return true
        case UInt8(ascii: "f"): return false
        default: throw Self.failure("an invalid boolean")
        }
    }

    private static func double(_ buffer: ByteBuffer, _ start: Int, _ end: Int) throws(RedisError) -> Double {
        let text = Self.text(buffer, start, end)
        switch text {
        case "inf", "+inf": return .infinity
        case "-inf": return -.infinity
        case "nan", "-nan": return .nan
        default:
            guard !text.isEmpty, text.utf8.allSatisfy({ Self.isDoubleByte($0) }), let value = Double(text) else {
                throw Self.failure("an invalid double '\(text.prefix(40))'")
            }
            return value
        }
    }

    private static func isDoubleByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"),
            UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"):
            return true
        default:
            return false
        }
    }

    private static func bigNumber(_ buffer: ByteBuffer, _ start: Int, _ end: Int) throws(RedisError) -> String {
        let text = Self.text(buffer, start, end)
        let digits = text.hasPrefix("-") || text.hasPrefix("+") ? text.dropFirst() : Substring(text)
        guard !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            throw Self.failure("an invalid big number '\(text.prefix(40))'")
        }
        return text
    }

    private static func failure(_ what: String) -> RedisError {
        .protocolError("the server sent \(what)")
    }
}
