/// Checks fnmatch-style glob patterns (`*`, `?`, `[abc]`, `[!abc]`, `[a-z]`, `\` escapes) for
/// syntax errors, so a broken pattern is reported when the file loads rather than silently
/// matching nothing at run time.
enum GlobSyntax {
    /// Why `pattern` is not a valid glob, or `nil` when it is.
    static func problem(in pattern: String) -> String? {
        if pattern.isEmpty {
            return "a pattern must not be empty; use \"*\" to match everything"
        }
        let scalars = Array(pattern.unicodeScalars)
        var index = 0
        while index < scalars.count {
            switch scalars[index] {
            case "\\":
                guard index + 1 < scalars.count else {
                    return "the pattern \"\(pattern)\" ends with a lone '\\'; write '\\\\' for a literal backslash"
                }
                index += 2
            case "[":
                guard let end = bracketEnd(scalars, openingAt: index) else {
                    return "the '[' at character \(index + 1) of \"\(pattern)\" is never closed with ']'; write '\\[' for a literal bracket"
                }
                index = end + 1
            default:
                index += 1
            }
        }
        return nil
    }

    /// The index of the `]` closing the bracket expression that opens at `start`, if any. A `]`
    /// right after `[` or `[!` (or `[^`) is a literal member, as in fnmatch.
    private static func bracketEnd(_ scalars: [Unicode.Scalar], openingAt start: Int) -> Int? {
        var index = start + 1
        if index < scalars.count, scalars[index] == "!" || scalars[index] == "^" { index += 1 }
        if index < scalars.count, scalars[index] == "]" { index += 1 }
        while index < scalars.count {
            switch scalars[index] {
            case "]": return index
            case "\\": index += 2
            default: index += 1
            }
        }
        return nil
    }
}
