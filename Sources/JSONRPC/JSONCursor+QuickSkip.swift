extension JSONCursor {
    /// Validates the object or array at `pos` in one loop, without recursion or a call per token,
    /// and moves past it. Returns false, with `pos` unspecified, on anything it does not accept:
    /// invalid JSON, nesting beyond `maxDepth` or beyond 64 levels below the container. The caller
    /// then runs the recursive validator from the same place, which accepts exactly the same
    /// inputs and words the error, so this path never has to.
    ///
    /// Most of a message's bytes are tool arguments and results that the proxy only validates
    /// and passes on; this is their path.
    mutating func skipContainerQuickly(parentDepth: Int) -> Bool {
        var index = pos
        // Bit k of `arrays` tells whether the container k levels down is an array.
        var arrays: UInt64 = 0
        var level = 0
        var expectingValue = true

        // Opens the container at `index` (a `{` or `[`): true when its first value or key is next.
        // Returns nil when the container is empty and already closed.
        func open(_ byte: UInt8, _ index: inout Int, _ level: inout Int, _ arrays: inout UInt64) -> Bool? {
            guard level < 64, parentDepth + 1 + level <= maxDepth else { return false }
            let isArray = byte == UInt8(ascii: "[")
            if isArray { arrays |= 1 << UInt64(level) } else { arrays &= ~(1 << UInt64(level)) }
            level += 1
            index += 1
            index = skipSpaces(from: index)
            guard index < end else { return false }
            if base[index] == (isArray ? UInt8(ascii: "]") : UInt8(ascii: "}")) {
                index += 1
                level -= 1
                return nil
            }
            return true
        }

        while true {
            if expectingValue {
                guard index < end else { return false }
                let byte = base[index]
                switch byte {
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    switch open(byte, &index, &level, &arrays) {
                    case false?:
                        return false
                    case nil:
                        expectingValue = false
                    case true?:
                        if byte == UInt8(ascii: "{") {
                            guard readKeyQuickly(&index) else { return false }
                        }
                        continue
                    }
                case UInt8(ascii: "\""):
                    guard let next = skipStringQuickly(from: index) else { return false }
                    index = next
                    expectingValue = false
                case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                    pos = index
                    guard (try? scanNumber()) != nil else { return false }
                    index = pos
                    expectingValue = false
                case UInt8(ascii: "t"):
                    guard matches("true", at: index) else { return false }
                    index += 4
                    expectingValue = false
                case UInt8(ascii: "f"):
                    guard matches("false", at: index) else { return false }
                    index += 5
                    expectingValue = false
                case UInt8(ascii: "n"):
                    guard matches("null", at: index) else { return false }
                    index += 4
                    expectingValue = false
                default:
                    return false
                }
            } else {
                if level == 0 {
                    pos = index
                    return true
                }
                index = skipSpaces(from: index)
                guard index < end else { return false }
                let inArray = arrays & (1 << UInt64(level - 1)) != 0
                switch base[index] {
                case UInt8(ascii: ","):
                    index = skipSpaces(from: index + 1)
                    if !inArray {
                        guard readKeyQuickly(&index) else { return false }
                    }
                    expectingValue = true
                case UInt8(ascii: "]") where inArray, UInt8(ascii: "}") where !inArray:
                    index += 1
                    level -= 1
                default:
                    return false
                }
            }
        }
    }

    /// At what should be a key: the key, the colon and the spaces up to the value.
    @inline(__always)
    private func readKeyQuickly(_ index: inout Int) -> Bool {
        guard index < end, base[index] == UInt8(ascii: "\""), let next = skipStringQuickly(from: index) else { return false }
        index = skipSpaces(from: next)
        guard index < end, base[index] == UInt8(ascii: ":") else { return false }
        index = skipSpaces(from: index + 1)
        return true
    }

    /// The index after the string whose quote is at `start`, or nil if it is invalid (the
    /// checks of `scanString`, without its error messages).
    @inline(__always)
    private func skipStringQuickly(from start: Int) -> Int? {
        var index = start + 1
        while true {
            index = firstByteNeedingAttention(from: index)
            guard index < end else { return nil }
            let byte = base[index]
            if byte == UInt8(ascii: "\"") {
                return index + 1
            } else if byte == UInt8(ascii: "\\") {
                guard let next = try? scanEscape(at: index) else { return nil }
                index = next
            } else if byte < 0x20 {
                return nil
            } else if byte < 0x80 {
                index += 1
            } else {
                guard let next = try? scanUTF8(at: index) else { return nil }
                index = next
            }
        }
    }

    /// The index of the first byte at or after `index` that is not JSON whitespace.
    @inline(__always)
    private func skipSpaces(from index: Int) -> Int {
        var index = index
        while index < end {
            switch base[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return index
            }
        }
        return index
    }

    /// Whether `literal` is at `index`.
    @inline(__always)
    private func matches(_ literal: StaticString, at index: Int) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard index + count <= end else { return false }
        return JSONCursor.equals(base + index, count, literal)
    }
}
