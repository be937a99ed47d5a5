/// The compiled form of a `GlobPattern`: its shape and, for the general shape, the op list.
@usableFromInline
final class GlobProgram: Sendable {
    /// The shape the compiler recognised; the simple shapes skip the general matcher.
    enum Shape: Sendable {
        /// No wildcards: the input must equal `literals`.
        case literal
        /// `*`: everything matches.
        case anything
        /// `literal*`.
        case prefix
        /// `*literal`.
        case suffix
        /// `*literal*`.
        case contains
        /// Anything else: run `ops`.
        case general
    }

    /// One step of the general matcher.
    enum Op: Sendable, Equatable {
        /// The bytes `literals[start..<end]`.
        case literal(start: Int, end: Int)
        /// `?`: one scalar.
        case anyScalar
        /// `*`: any run (consecutive stars are merged).
        case star
        /// A bracket class: one scalar that `classes[index]` contains.
        case characterClass(index: Int)
    }

    let shape: Shape
    /// For the simple shapes, the literal part; for `.general`, the pool that `.literal` ops index.
    let literals: [UInt8]
    let ops: [Op]
    let classes: [GlobCharacterClass]

    init(shape: Shape, literals: [UInt8], ops: [Op], classes: [GlobCharacterClass]) {
        self.shape = shape
        self.literals = literals
        self.ops = ops
        self.classes = classes
    }

    /// Whether the whole of `input` matches.
    @usableFromInline
    func matches(_ input: UnsafeBufferPointer<UInt8>) -> Bool {
        switch shape {
        case .anything:
            return true
        case .literal:
            return literals.withUnsafeBufferPointer { literal in
                input.count == literal.count && UTF8Buffer.equal(input, at: 0, literal)
            }
        case .prefix:
            return literals.withUnsafeBufferPointer { literal in
                input.count >= literal.count && UTF8Buffer.equal(input, at: 0, literal)
            }
        case .suffix:
            return literals.withUnsafeBufferPointer { literal in
                input.count >= literal.count && UTF8Buffer.equal(input, at: input.count - literal.count, literal)
            }
        case .contains:
            return literals.withUnsafeBufferPointer { literal in
                guard input.count >= literal.count else { return false }
                guard let firstByte = literal.first else { return true }
                var offset = 0
                let last = input.count - literal.count
                while offset <= last {
                    if input[offset] == firstByte, UTF8Buffer.equal(input, at: offset, literal) { return true }
                    offset += 1
                }
                return false
            }
        case .general:
            return ops.withUnsafeBufferPointer { ops in
                literals.withUnsafeBufferPointer { pool in
                    matchGeneral(input, ops: ops, pool: pool)
                }
            }
        }
    }

    /// Iterative glob matching that remembers only the most recent `*` and where it was tried.
    ///
    /// Backtracking to the last star suffices because a star matches any run: whatever an earlier
    /// star could absorb, the later one can absorb instead. Stars advance one scalar at a time, so
    /// every position tried is a scalar boundary and `?` never lands inside a character.
    private func matchGeneral(
        _ input: UnsafeBufferPointer<UInt8>, ops: UnsafeBufferPointer<Op>, pool: UnsafeBufferPointer<UInt8>
    ) -> Bool {
        let end = input.count
        var op = 0
        var position = 0
        var starOp = -1
        var starPosition = 0

        while true {
            if op < ops.count {
                switch ops[op] {
                case .star:
                    if op + 1 == ops.count { return true }  // a trailing star takes the rest
                    starOp = op
                    starPosition = position
                    op += 1
                    continue
                case .literal(let start, let stop):
                    let length = stop - start
                    if end - position >= length,
                        let base = input.baseAddress, let literal = pool.baseAddress,
                        UTF8Buffer.equal(base + position, literal + start, count: length)
                    {
                        position += length
                        op += 1
                        continue
                    }
                case .anyScalar:
                    if position < end {
                        position += UTF8Buffer.scalarLength(input, at: position)
                        op += 1
                        continue
                    }
                case .characterClass(let index):
                    if position < end {
                        let (value, length) = UTF8Buffer.decodeScalar(input, at: position)
                        if classes[index].contains(value) {
                            position += length
                            op += 1
                            continue
                        }
                    }
                }
            } else if position == end {
                return true
            }
            // Mismatch: let the last star absorb one more scalar, or fail.
            guard starOp >= 0, starPosition < end else { return false }
            starPosition += UTF8Buffer.scalarLength(input, at: starPosition)
            position = starPosition
            op = starOp + 1
        }
    }
}
