/// A 64-bit summary of which bytes occur in some text: byte `b` sets bit `b & 63`.
///
/// Route tables use it to reject a rule in one operation: a glob can only match a name that
/// contains every byte of the glob's literal parts, so if the rule's required set has a bit the
/// name's set lacks, the rule cannot match. Distinct bytes may share a bit, so the test can only
/// err towards "may match" (the full matcher then decides); it never rejects a match.
struct ByteSet: Sendable, Equatable {
    /// One bit per byte class.
    var bits: UInt64

    /// The empty set.
    static let empty = ByteSet(bits: 0)

    /// The set of the bytes in `bytes`.
    @inline(__always)
    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        var bits: UInt64 = 0
        for byte in bytes { bits |= 1 << UInt64(byte & 63) }
        self.bits = bits
    }

    /// A set from its bits.
    init(bits: UInt64) {
        self.bits = bits
    }

}

extension GlobProgram {
    /// The bytes every matching input contains: those of the pattern's literal parts (wildcards
    /// and bracket classes contribute nothing).
    var requiredBytes: ByteSet {
        switch shape {
        case .anything:
            return .empty
        case .literal, .prefix, .suffix, .contains:
            return literals.withUnsafeBufferPointer(ByteSet.init)
        case .general:
            var bits: UInt64 = 0
            literals.withUnsafeBufferPointer { pool in
                for op in ops {
                    guard case .literal(let start, let end) = op else { continue }
                    bits |= ByteSet(UnsafeBufferPointer(rebasing: pool[start..<end])).bits
                }
            }
            return ByteSet(bits: bits)
        }
    }
}
