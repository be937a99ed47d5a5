/// An fnmatch-style glob, compiled once and matched against UTF-8 bytes without allocating.
///
/// Syntax (the `fnmatch(3)` rules without `FNM_PATHNAME`, `FNM_PERIOD` or case folding):
/// - `*` matches any run of characters, including `/` and the empty run;
/// - `?` matches exactly one Unicode scalar (all the UTF-8 bytes of a multi-byte character);
/// - `[abc]`, `[a-z]` match one scalar from the class; `[!a-z]` and `[^a-z]` match one scalar outside it;
///   a `]` right after `[` (or `[!`, `[^`) is a member, a `-` first or last is a member, a reversed
///   range such as `[z-a]` matches nothing;
/// - a backslash makes the next character literal, inside and outside brackets (`\*`, `\[`, `\\`).
///
/// Differences from Python's `fnmatch.fnmatchcase`: backslash escapes (Python treats it as a literal),
/// `[^...]` negates (Python reads `^` as a member), and an unclosed `[` is an error rather than a
/// literal. There is no Unicode normalisation or case folding: `é` written precomposed does not match
/// `e` followed by a combining accent, exactly as in Python.
///
/// Matching is iterative and backtracks only to the most recent `*`, so it runs in
/// O(pattern × input) in the worst case and never recurses.
public struct GlobPattern: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// The pattern text as written.
    public let pattern: String

    /// The compiled matcher, behind one reference so that copying a pattern costs one retain.
    @usableFromInline let program: GlobProgram

    /// Compiles `pattern`.
    ///
    /// - Throws: `GlobPatternError` when a `[` is never closed or the pattern ends with a lone backslash.
    public init(_ pattern: String) throws(GlobPatternError) {
        self.pattern = pattern
        let scalars = Array(pattern.unicodeScalars)
        var ops: [GlobProgram.Op] = []
        var pool: [UInt8] = []
        var classes: [GlobCharacterClass] = []
        var runStart = 0

        func appendLiteral(_ scalar: Unicode.Scalar) {
            UTF8.encode(scalar) { pool.append($0) }
        }
        func closeRun() {
            if pool.count > runStart {
                ops.append(.literal(start: runStart, end: pool.count))
            }
            runStart = pool.count
        }

        var i = 0
        while i < scalars.count {
            let scalar = scalars[i]
            switch scalar {
            case "*":
                closeRun()
                if ops.last != .star { ops.append(.star) }
                i += 1
            case "?":
                closeRun()
                ops.append(.anyScalar)
                i += 1
            case "[":
                closeRun()
                let (characterClass, next) = try Self.parseClass(scalars, openAt: i, pattern: pattern)
                classes.append(characterClass)
                ops.append(.characterClass(index: classes.count - 1))
                i = next
            case "\\":
                guard i + 1 < scalars.count else { throw .trailingBackslash(pattern: pattern) }
                appendLiteral(scalars[i + 1])
                i += 2
            default:
                appendLiteral(scalar)
                i += 1
            }
        }
        closeRun()

        func literalBytes(_ op: GlobProgram.Op) -> [UInt8]? {
            if case .literal(let start, let end) = op { return Array(pool[start..<end]) }
            return nil
        }
        switch ops.count {
        case 0:
            program = GlobProgram(shape: .literal, literals: [], ops: [], classes: [])
        case 1 where ops[0] == .star:
            program = GlobProgram(shape: .anything, literals: [], ops: [], classes: [])
        case 1 where literalBytes(ops[0]) != nil:
            program = GlobProgram(shape: .literal, literals: literalBytes(ops[0]) ?? [], ops: [], classes: [])
        case 2 where ops[1] == .star && literalBytes(ops[0]) != nil:
            program = GlobProgram(shape: .prefix, literals: literalBytes(ops[0]) ?? [], ops: [], classes: [])
        case 2 where ops[0] == .star && literalBytes(ops[1]) != nil:
            program = GlobProgram(shape: .suffix, literals: literalBytes(ops[1]) ?? [], ops: [], classes: [])
        case 3 where ops[0] == .star && ops[2] == .star && literalBytes(ops[1]) != nil:
            program = GlobProgram(shape: .contains, literals: literalBytes(ops[1]) ?? [], ops: [], classes: [])
        default:
            program = GlobProgram(shape: .general, literals: pool, ops: ops, classes: classes)
        }
    }

    /// Parses the bracket class whose `[` is at `open`; returns it and the index after its `]`.
    private static func parseClass(
        _ scalars: [Unicode.Scalar], openAt open: Int, pattern: String
    ) throws(GlobPatternError) -> (GlobCharacterClass, Int) {
        var j = open + 1
        var negated = false
        if j < scalars.count, scalars[j] == "!" || scalars[j] == "^" {
            negated = true
            j += 1
        }
        var characterClass = GlobCharacterClass(negated: negated)
        var first = true
        while true {
            guard j < scalars.count else { throw .unterminatedBracket(pattern: pattern, position: open) }
            if scalars[j] == "]", !first { return (characterClass, j + 1) }
            first = false
            // One member, possibly escaped.
            var low = scalars[j]
            if low == "\\" {
                guard j + 1 < scalars.count else { throw .unterminatedBracket(pattern: pattern, position: open) }
                low = scalars[j + 1]
                j += 2
            } else {
                j += 1
            }
            // A range `low-high`, unless the `-` is the last member before `]`.
            if j + 1 < scalars.count, scalars[j] == "-", scalars[j + 1] != "]" {
                var high = scalars[j + 1]
                if high == "\\" {
                    guard j + 2 < scalars.count else {
                        throw .unterminatedBracket(pattern: pattern, position: open)
                    }
                    high = scalars[j + 2]
                    j += 3
                } else {
                    j += 2
                }
                characterClass.add(low.value, high.value)
            } else {
                characterClass.add(low.value, low.value)
            }
        }
    }

    /// The pattern text.
    public var description: String { pattern }

    /// Two patterns are equal when their text is equal.
    public static func == (lhs: GlobPattern, rhs: GlobPattern) -> Bool {
        lhs.pattern == rhs.pattern
    }

    /// Hashes the pattern text.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(pattern)
    }
}
