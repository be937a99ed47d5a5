/// What `JSONCursor.skipValue` just passed over.
enum ScannedValueKind: Equatable {
    case object, array, string, escapedString, integer, fractionalNumber, trueLiteral, falseLiteral, null

    /// True for both string kinds.
    var isString: Bool { self == .string || self == .escapedString }

    /// Words for error messages: "found <kind>".
    var article: String {
        switch self {
        case .object: return "an object"
        case .array: return "an array"
        case .string, .escapedString: return "a string"
        case .integer: return "an integer"
        case .fractionalNumber: return "a number with a fraction or exponent"
        case .trueLiteral: return "true"
        case .falseLiteral: return "false"
        case .null: return "null"
        }
    }
}

/// A string token: `start` at the opening quote, `end` just past the closing quote.
struct StringToken: Equatable {
    var start: Int
    var end: Int
    var hasEscapes: Bool

    /// Offsets of the content between the quotes.
    var contentStart: Int { start + 1 }
    var contentEnd: Int { end - 1 }
}

/// Strict RFC 8259 validator over raw bytes. Offsets are relative to `base`, which is the first
/// byte of the scanned buffer. Never reads outside `0..<end`.
struct JSONCursor {
    let base: UnsafePointer<UInt8>
    let end: Int
    var pos: Int
    let maxDepth: Int

    init(base: UnsafePointer<UInt8>, count: Int, maxDepth: Int) {
        self.base = base
        self.end = count
        self.pos = 0
        self.maxDepth = maxDepth
    }

    // MARK: errors

    /// A parse error at `offset`.
    func syntaxError(_ what: String, at offset: Int) -> JSONRPCScanError {
        JSONRPCScanError(kind: .parseError, message: "invalid JSON at byte \(offset): \(what)", offset: offset)
    }

    /// A parse error at the current position: end of input or an unexpected byte.
    func unexpected(expected: String) -> JSONRPCScanError {
        if pos >= end {
            return syntaxError("unexpected end of input, expected \(expected); the message is truncated", at: pos)
        }
        return syntaxError("unexpected \(JSONCursor.describe(base[pos])), expected \(expected)", at: pos)
    }

    /// `'x' (0x78)` for printable ASCII, `byte 0x9F` otherwise.
    static func describe(_ byte: UInt8) -> String {
        let hex = "0x" + (byte < 16 ? "0" : "") + String(byte, radix: 16, uppercase: true)
        if byte >= 0x20, byte < 0x7F {
            return "'\(Character(Unicode.Scalar(byte)))' (\(hex))"
        }
        return "byte \(hex)"
    }

    // MARK: whitespace and structure

    /// Skips RFC 8259 whitespace: space, tab, LF, CR. Compact JSON has none between tokens, so
    /// the common case is one comparison, inlined.
    @inline(__always)
    mutating func skipWhitespace() {
        guard pos < end, base[pos] <= 0x20 else { return }
        skipWhitespaceRun()
    }

    /// The loop of `skipWhitespace`, for the rare run of whitespace.
    @inline(never)
    private mutating func skipWhitespaceRun() {
        while pos < end {
            switch base[pos] {
            case 0x20, 0x0A, 0x0D, 0x09: pos += 1
            default: return
            }
        }
    }

    /// Validates one value starting at `pos` (no leading whitespace) and moves past it.
    /// `parentDepth` is the depth of the enclosing container (0 at top level).
    ///
    /// Objects and arrays go through the iterative `skipContainerQuickly` first; whatever it
    /// does not accept (invalid input, very deep nesting) is validated again by the recursive
    /// path, which finds and words the error.
    mutating func skipValue(parentDepth: Int) throws(JSONRPCScanError) -> ScannedValueKind {
        guard pos < end else { throw unexpected(expected: "a value") }
        let first = base[pos]
        if first == UInt8(ascii: "{") || first == UInt8(ascii: "[") {
            let start = pos
            if skipContainerQuickly(parentDepth: parentDepth) {
                return first == UInt8(ascii: "{") ? .object : .array
            }
            pos = start
        }
        return try skipValueStrictly(parentDepth: parentDepth)
    }

    /// `skipValue` without the quick path: recursive, and precise about what is wrong.
    mutating func skipValueStrictly(parentDepth: Int) throws(JSONRPCScanError) -> ScannedValueKind {
        guard pos < end else { throw unexpected(expected: "a value") }
        switch base[pos] {
        case UInt8(ascii: "{"):
            try skipObject(depth: parentDepth + 1)
            return .object
        case UInt8(ascii: "["):
            try skipArray(depth: parentDepth + 1)
            return .array
        case UInt8(ascii: "\""):
            return try scanString().hasEscapes ? .escapedString : .string
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return try scanNumber() ? .integer : .fractionalNumber
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            return .trueLiteral
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            return .falseLiteral
        case UInt8(ascii: "n"):
            try expectLiteral("null")
            return .null
        default:
            throw unexpected(expected: "a value (object, array, string, number, true, false or null)")
        }
    }

    /// Enters a container at `pos` (`{` or `[`), enforcing the depth limit.
    mutating func enterContainer(depth: Int) throws(JSONRPCScanError) {
        if depth > maxDepth {
            throw JSONRPCScanError(
                kind: .nestingTooDeep,
                message: "nesting deeper than \(maxDepth) levels at byte \(pos); flatten the data or raise ScanLimits.maxDepth",
                offset: pos)
        }
        pos += 1
    }

    /// At `{`: enters the object. Returns true with `pos` at the first key's quote, or false with
    /// `pos` past `}` for an empty object.
    mutating func enterObject(depth: Int) throws(JSONRPCScanError) -> Bool {
        try enterContainer(depth: depth)
        skipWhitespace()
        guard pos < end else { throw unexpected(expected: "a string key or '}'") }
        if base[pos] == UInt8(ascii: "}") {
            pos += 1
            return false
        }
        guard base[pos] == UInt8(ascii: "\"") else { throw unexpected(expected: "a string key or '}'") }
        return true
    }

    /// At a key's quote: reads the key and the colon; leaves `pos` at the value.
    mutating func readKey() throws(JSONRPCScanError) -> StringToken {
        let key = try scanString()
        skipWhitespace()
        guard pos < end, base[pos] == UInt8(ascii: ":") else {
            throw unexpected(expected: "':' after an object key")
        }
        pos += 1
        skipWhitespace()
        return key
    }

    /// After a member's value: true with `pos` at the next key, or false with `pos` past `}`.
    mutating func nextMember() throws(JSONRPCScanError) -> Bool {
        skipWhitespace()
        guard pos < end else { throw unexpected(expected: "',' or '}' after an object member") }
        switch base[pos] {
        case UInt8(ascii: ","):
            pos += 1
            skipWhitespace()
            guard pos < end, base[pos] == UInt8(ascii: "\"") else {
                throw unexpected(expected: "a string key after ','")
            }
            return true
        case UInt8(ascii: "}"):
            pos += 1
            return false
        default:
            throw unexpected(expected: "',' or '}' after an object member")
        }
    }

    /// At `[`: enters the array. Returns true with `pos` at the first element, or false past `]`.
    mutating func enterArray(depth: Int) throws(JSONRPCScanError) -> Bool {
        try enterContainer(depth: depth)
        skipWhitespace()
        guard pos < end else { throw unexpected(expected: "a value or ']'") }
        if base[pos] == UInt8(ascii: "]") {
            pos += 1
            return false
        }
        return true
    }

    /// After an element: true with `pos` at the next element, or false with `pos` past `]`.
    mutating func nextElement() throws(JSONRPCScanError) -> Bool {
        skipWhitespace()
        guard pos < end else { throw unexpected(expected: "',' or ']' after an array element") }
        switch base[pos] {
        case UInt8(ascii: ","):
            pos += 1
            skipWhitespace()
            return true
        case UInt8(ascii: "]"):
            pos += 1
            return false
        default:
            throw unexpected(expected: "',' or ']' after an array element")
        }
    }

    /// Validates an object at `pos`.
    mutating func skipObject(depth: Int) throws(JSONRPCScanError) {
        guard try enterObject(depth: depth) else { return }
        repeat {
            _ = try readKey()
            _ = try skipValueStrictly(parentDepth: depth)
        } while try nextMember()
    }

    /// Validates an array at `pos`.
    mutating func skipArray(depth: Int) throws(JSONRPCScanError) {
        guard try enterArray(depth: depth) else { return }
        repeat {
            _ = try skipValueStrictly(parentDepth: depth)
        } while try nextElement()
    }

    /// After the top-level value: only whitespace may follow.
    mutating func expectEnd() throws(JSONRPCScanError) {
        skipWhitespace()
        if pos < end {
            throw syntaxError(
                "unexpected \(JSONCursor.describe(base[pos])) after the JSON value; send one value per frame",
                at: pos)
        }
    }

    // MARK: literals and numbers

    /// Matches `true`, `false` or `null` exactly.
    mutating func expectLiteral(_ literal: StaticString) throws(JSONRPCScanError) {
        let count = literal.utf8CodeUnitCount
        let bytes = literal.utf8Start
        var index = 0
        while index < count {
            guard pos + index < end, base[pos + index] == bytes[index] else {
                throw syntaxError("invalid literal, expected '\(literal)'", at: pos + index)
            }
            index += 1
        }
        pos += count
    }

    /// Validates a number per RFC 8259; returns true if it has no fraction and no exponent.
    mutating func scanNumber() throws(JSONRPCScanError) -> Bool {
        var index = pos
        if base[index] == UInt8(ascii: "-") { index += 1 }
        guard index < end, isDigit(base[index]) else {
            pos = index
            throw unexpected(expected: "a digit in the number")
        }
        if base[index] == UInt8(ascii: "0") {
            index += 1
            if index < end, isDigit(base[index]) {
                throw syntaxError("numbers must not have leading zeros", at: index - 1)
            }
        } else {
            index += 1
            while index < end, isDigit(base[index]) { index += 1 }
        }
        var integer = true
        if index < end, base[index] == UInt8(ascii: ".") {
            integer = false
            index += 1
            guard index < end, isDigit(base[index]) else {
                pos = index
                throw unexpected(expected: "a digit after the decimal point")
            }
            while index < end, isDigit(base[index]) { index += 1 }
        }
        if index < end, base[index] == UInt8(ascii: "e") || base[index] == UInt8(ascii: "E") {
            integer = false
            index += 1
            if index < end, base[index] == UInt8(ascii: "+") || base[index] == UInt8(ascii: "-") { index += 1 }
            guard index < end, isDigit(base[index]) else {
                pos = index
                throw unexpected(expected: "a digit in the exponent")
            }
            while index < end, isDigit(base[index]) { index += 1 }
        }
        pos = index
        return integer
    }

    /// Parses an already validated integer token `start..<stop`; nil if outside Int64.
    func parseInt64(from start: Int, to stop: Int) -> Int64? {
        JSONNumbers.parseInt64(base, from: start, to: stop)
    }

    @inline(__always)
    func isDigit(_ byte: UInt8) -> Bool {
        byte &- UInt8(ascii: "0") < 10
    }
}

/// Number helpers shared by the scanner and `JSONView`.
enum JSONNumbers {
    /// Parses an integer token (optional `-`, digits only); nil if not an integer or outside Int64.
    static func parseInt64(_ base: UnsafePointer<UInt8>, from start: Int, to stop: Int) -> Int64? {
        var index = start
        let negative = index < stop && base[index] == UInt8(ascii: "-")
        if negative { index += 1 }
        guard index < stop else { return nil }
        var value: Int64 = 0
        while index < stop {
            let digit = base[index] &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            let (shifted, overflowMultiply) = value.multipliedReportingOverflow(by: 10)
            let (next, overflowAdd) =
                negative
                ? shifted.subtractingReportingOverflow(Int64(digit))
                : shifted.addingReportingOverflow(Int64(digit))
            if overflowMultiply || overflowAdd { return nil }
            value = next
            index += 1
        }
        return value
    }
}
