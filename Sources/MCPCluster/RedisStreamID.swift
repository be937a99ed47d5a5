/// A Redis stream entry id, `<milliseconds>-<sequence>`, ordered as Redis orders them.
struct RedisStreamID: Comparable, Hashable, Sendable, CustomStringConvertible {
    var milliseconds: UInt64
    var sequence: UInt64

    /// Parses `<milliseconds>-<sequence>`; nil for anything else.
    init?(_ text: Substring) {
        guard let dash = text.firstIndex(of: "-"),
              let milliseconds = UInt64(text[..<dash]), let sequence = UInt64(text[text.index(after: dash)...]) else { return nil }
        self.milliseconds = milliseconds
        self.sequence = sequence
    }

    static func < (lhs: RedisStreamID, rhs: RedisStreamID) -> Bool {
        (lhs.milliseconds, lhs.sequence) < (rhs.milliseconds, rhs.sequence)
    }

    var description: String { "\(milliseconds)-\(sequence)" }
}
