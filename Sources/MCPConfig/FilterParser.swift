/// Reads a server's `tools`, `prompts` or `resources` filter: `{ allow: [globs], deny: [globs] }`.
enum FilterParser {
    static let keys = ["allow", "deny"]

    /// The filter under `key`, or ``FilterConfig/all`` when absent or invalid (invalid ones are
    /// reported).
    static func read(_ mapping: ConfigNode.Mapping, _ key: String, at serverPath: KeyPath, reader: inout ConfigReader) -> FilterConfig {
        guard let node = reader.optional(mapping, key) else { return .all }
        let path = serverPath.key(key)
        let what = key == "resources" ? "URI globs" : "name globs"
        guard let section = reader.mapping(node, at: path, expected: "a mapping { allow: [\(what)], deny: [\(what)] }") else { return .all }
        reader.checkKeys(section, at: path, known: keys, what: "a \(key) filter")
        var filter = FilterConfig.all
        if let value = reader.optional(section, "allow"), let patterns = reader.globList(value, at: path.key("allow")) {
            filter.allow = patterns
            if patterns.isEmpty {
                reader.warning(path.key("allow"), "an empty allow list hides every one of this server's \(key); leave allow out to expose them all", line: value.line)
            }
        }
        if let value = reader.optional(section, "deny"), let patterns = reader.globList(value, at: path.key("deny")) {
            filter.deny = patterns
        }
        return filter
    }
}
