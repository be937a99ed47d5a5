/// An optional byte range packed into one word: the lower bound in the low 32 bits, the upper
/// bound in the high 32 bits, all ones for "absent". Offsets are within a `ByteBuffer`, whose
/// size NIO limits to `UInt32.max`, so any range the scanner reports fits; a range that does not
/// fit (built by hand) is stored as absent.
@usableFromInline
struct PackedRange: Sendable, Equatable {
    @usableFromInline let bits: UInt64

    @usableFromInline static let absent: UInt64 = .max

    @inlinable
    init(_ range: Range<Int>?) {
        guard let range, range.lowerBound >= 0, range.upperBound < Int(UInt32.max) else {
            bits = Self.absent
            return
        }
        bits = UInt64(range.lowerBound) | UInt64(range.upperBound) << 32
    }

    @inlinable
    var range: Range<Int>? {
        guard bits != Self.absent else { return nil }
        return Int(bits & 0xFFFF_FFFF)..<Int(bits >> 32)
    }
}
