import JSONRPC
import MCPProxy
import MCPSecurity

/// What changed between an approved tool definition and the one listed now, for people: a
/// line per changed text field (`title`, `description`) and a unified-style line diff of each
/// changed JSON field (`inputSchema`, `outputSchema`, `annotations`).
public enum PinDiff {
    /// The diff lines: `- ` for what was approved, `+ ` for what is listed now, `  ` for
    /// unchanged context inside a JSON field; a `field:` header before each field.
    public static func lines(old: JSONValue, new: JSONValue) -> [String] {
        var lines: [String] = []
        for field in ToolFingerprint.fields {
            let before = old[field]
            let after = new[field]
            guard before != after else { continue }
            lines.append("\(field):")
            switch (before, after) {
            case (.string(let a)?, .string(let b)?):
                lines.append("- \(a)")
                lines.append("+ \(b)")
            case (.string(let a)?, nil):
                lines.append("- \(a)")
            case (nil, .string(let b)?):
                lines.append("+ \(b)")
            default:
                let a = before.map { PrettyJSON.text($0).split(separator: "\n", omittingEmptySubsequences: false).map(String.init) } ?? []
                let b = after.map { PrettyJSON.text($0).split(separator: "\n", omittingEmptySubsequences: false).map(String.init) } ?? []
                lines += lineDiff(a, b)
            }
        }
        return lines
    }

    /// A line diff by longest common subsequence (definitions are small).
    static func lineDiff(_ a: [String], _ b: [String]) -> [String] {
        let n = a.count, m = b.count
        var table = [[Int]](repeating: [Int](repeating: 0, count: m + 1), count: n + 1)
        if n > 0 && m > 0 {
            for i in stride(from: n - 1, through: 0, by: -1) {
                for j in stride(from: m - 1, through: 0, by: -1) {
                    table[i][j] = a[i] == b[j] ? table[i + 1][j + 1] + 1 : max(table[i + 1][j], table[i][j + 1])
                }
            }
        }
        var result: [String] = []
        var i = 0, j = 0
        while i < n || j < m {
            if i < n, j < m, a[i] == b[j] {
                result.append("  \(a[i])")
                i += 1
                j += 1
            } else if j < m, i == n || table[i][j + 1] >= table[i + 1][j] {
                result.append("+ \(b[j])")
                j += 1
            } else {
                result.append("- \(a[i])")
                i += 1
            }
        }
        return result
    }
}
