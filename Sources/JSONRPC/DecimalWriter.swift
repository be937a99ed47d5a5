/// Writes integers as decimal ASCII without going through `String`.
enum DecimalWriter {
    /// Number of bytes `value` takes in decimal, including a minus sign.
    static func count(_ value: Int64) -> Int {
        var magnitude = value.magnitude
        var digits = 1
        while magnitude >= 10 {
            magnitude /= 10
            digits += 1
        }
        return value < 0 ? digits + 1 : digits
    }

    /// Appends `value` in decimal.
    static func append(_ value: Int64, to bytes: inout [UInt8]) {
        let start = bytes.count
        bytes.append(contentsOf: repeatElement(0, count: count(value)))
        bytes.withUnsafeMutableBytes { all in
            _ = write(value, into: UnsafeMutableRawBufferPointer(rebasing: all[start...]))
        }
    }

    /// `value` in decimal, in an array of exactly its length.
    static func bytes(_ value: Int64) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: count(value)) { buffer, initialized in
            initialized = write(value, into: UnsafeMutableRawBufferPointer(buffer))
        }
    }

    /// Writes `value` into the first `count(value)` bytes of `target`; returns the count.
    @discardableResult
    static func write(_ value: Int64, into target: UnsafeMutableRawBufferPointer) -> Int {
        let total = count(value)
        guard target.count >= total else { return 0 }
        var magnitude = value.magnitude
        var index = total - 1
        repeat {
            target[index] = UInt8(truncatingIfNeeded: magnitude % 10) &+ 0x30
            magnitude /= 10
            index -= 1
        } while magnitude > 0
        if value < 0 { target[0] = UInt8(ascii: "-") }
        return total
    }
}
