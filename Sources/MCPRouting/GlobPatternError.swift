/// Why a glob pattern could not be compiled.
///
/// Positions count Unicode scalars from 0, the way an editor counts characters in an ASCII pattern.
public enum GlobPatternError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A `[` opened a bracket class that has no closing `]`.
    case unterminatedBracket(pattern: String, position: Int)
    /// The pattern ends with a backslash that escapes nothing.
    case trailingBackslash(pattern: String)

    /// The pattern that failed to compile.
    public var pattern: String {
        switch self {
        case .unterminatedBracket(let pattern, _), .trailingBackslash(let pattern):
            pattern
        }
    }

    /// A message that says what is wrong and how to fix the pattern.
    public var description: String {
        switch self {
        case .unterminatedBracket(let pattern, let position):
            "glob pattern \"\(pattern)\": the '[' at position \(position) opens a bracket class that is never "
                + "closed; add the closing ']', or write '\\[' to match a literal '['"
        case .trailingBackslash(let pattern):
            "glob pattern \"\(pattern)\" ends with a lone backslash; remove it, or write '\\\\' to match a "
                + "literal backslash"
        }
    }
}
