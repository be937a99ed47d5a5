/// A compiled bracket class such as `[a-z_]` or `[!0-9]`: ASCII members in a 128-bit map, other
/// scalars as ranges.
struct GlobCharacterClass: Sendable, Equatable {
    private var asciiLow: UInt64 = 0
    private var asciiHigh: UInt64 = 0
    private var ranges: [ClosedRange<UInt32>] = []
    /// Whether the class was written `[!...]` or `[^...]`.
    var negated: Bool

    init(negated: Bool) {
        self.negated = negated
    }

    /// Adds the scalars `low...high`; a reversed range adds nothing (it can match no character).
    mutating func add(_ low: UInt32, _ high: UInt32) {
        guard low <= high else { return }
        var value = low
        while value <= high, value < 128 {
            if value < 64 {
                asciiLow |= 1 << UInt64(value)
            } else {
                asciiHigh |= 1 << UInt64(value - 64)
            }
            value += 1
        }
        if high >= 128 {
            ranges.append(Swift.max(low, 128)...high)
        }
    }

    /// Whether the scalar with this value belongs to the class (negation applied).
    @inline(__always)
    func contains(_ value: UInt32) -> Bool {
        let member: Bool
        if value < 64 {
            member = asciiLow & (1 << UInt64(value)) != 0
        } else if value < 128 {
            member = asciiHigh & (1 << UInt64(value - 64)) != 0
        } else {
            member = ranges.contains { $0.contains(value) }
        }
        return member != negated
    }
}
