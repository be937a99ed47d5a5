/// The rule for a namespace separator (`proxy.namespacing.separator` or a server's `separator`).
enum SeparatorRule {
    static func read(_ node: ConfigNode, at path: KeyPath, reader: inout ConfigReader) -> String? {
        guard let text = reader.string(node, at: path, expected: "a separator such as \"__\"") else { return nil }
        guard NameRules.isMCPName(text) else {
            reader.problem(path, "a separator must be non-empty and use only \(NameRules.mcpNameRule) (the characters MCP allows in tool names), found \"\(ConfigNode.abbreviated(text))\"", line: node.line)
            return nil
        }
        return text
    }
}
