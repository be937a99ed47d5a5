/// The character rules for names the proxy exposes to clients.
enum NameRules {
    /// The characters MCP allows in tool and prompt names, and so in server names, namespaces and
    /// separators: ASCII letters, digits, `_`, `.` and `-`.
    static func isMCPName(_ text: String) -> Bool {
        !text.isEmpty && text.unicodeScalars.allSatisfy { scalar in
            switch scalar {
            case "a"..."z", "A"..."Z", "0"..."9", "_", ".", "-": return true
            default: return false
            }
        }
    }

    /// How to say what ``isMCPName(_:)`` allows, for messages.
    static let mcpNameRule = "letters A-Z a-z, digits, '_', '.' and '-'"

    /// Why `name` cannot be an environment variable name, or `nil` if it can.
    static func environmentNameProblem(_ name: String) -> String? {
        if name.isEmpty { return "an environment variable name must not be empty" }
        if name.contains("=") { return "an environment variable name must not contain '='" }
        if name.unicodeScalars.contains(where: { $0 == "\0" }) {
            return "an environment variable name must not contain NUL characters"
        }
        return nil
    }
}
