/// A trivially copyable quick test derived from a glob, used to reject most route rules with a few
/// integer comparisons and no reference counting.
///
/// The input's first eight bytes are packed once per message (`UTF8Buffer.head`); a literal or a
/// literal prefix of up to 16 bytes is then decided by its length, its first eight bytes and its
/// last eight bytes. Anything else answers "undecided" and the caller runs the full glob.
struct LiteralProbe: Sendable {
    enum Kind: UInt8, Sendable {
        /// `*`: matches everything.
        case any
        /// The whole input must equal the literal.
        case exact
        /// The input must start with the literal.
        case prefix
        /// Only the full matcher can tell.
        case glob
    }

    let kind: Kind
    /// Length of the literal or prefix in bytes.
    let length: Int
    /// The literal's first `min(length, 8)` bytes, zero-padded.
    let first: UInt64
    /// Selects the bytes of `first` that belong to the literal.
    let firstMask: UInt64
    /// The literal's bytes `length - 8 ..< length`, when `length > 8`.
    let last: UInt64

    /// The probe for a compiled glob.
    init(_ glob: GlobPattern) {
        switch glob.program.shape {
        case .anything:
            self.init(kind: .any, literal: [])
        case .literal:
            self.init(kind: .exact, literal: glob.program.literals)
        case .prefix:
            self.init(kind: .prefix, literal: glob.program.literals)
        default:
            self.init(kind: .glob, literal: [])
        }
    }

    /// A probe of `kind` for `literal` (ignored for `.any` and `.glob`).
    init(kind: Kind, literal: [UInt8]) {
        self.kind = kind
        length = literal.count
        (first, last) = literal.withUnsafeBufferPointer { bytes in
            let first = UTF8Buffer.head(bytes)
            guard bytes.count > 8, let base = bytes.baseAddress else { return (first, 0) }
            return (first, UnsafeRawPointer(base + bytes.count - 8).loadUnaligned(as: UInt64.self))
        }
        firstMask = length >= 8 ? .max : (1 << UInt64(8 * length)) - 1
    }

    /// `true` or `false` when the probe alone decides, `nil` when the full glob must run.
    ///
    /// - Parameters:
    ///   - input: the bytes to test.
    ///   - head: `UTF8Buffer.head(input)`, computed once by the caller.
    @inline(__always)
    func test(_ input: UnsafeBufferPointer<UInt8>, head: UInt64) -> Bool? {
        switch kind {
        case .any:
            return true
        case .glob:
            return nil
        case .exact:
            guard input.count == length else { return false }
        case .prefix:
            guard input.count >= length else { return false }
        }
        guard head & firstMask == first else { return false }
        guard length > 8 else { return true }
        guard let base = input.baseAddress,
            UnsafeRawPointer(base + length - 8).loadUnaligned(as: UInt64.self) == last
        else { return false }
        return length <= 16 ? true : nil
    }
}
