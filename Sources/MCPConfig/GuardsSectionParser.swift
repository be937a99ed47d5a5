/// Reads `proxy.guards` into ``ProxySettings/guards``.
enum GuardsSectionParser {
    static let keys = ["maxResultBytes", "redactSecrets", "redactPatterns"]
    static let hints = [
        "maxResultSize": "write it as maxResultBytes",
        "maxBytes": "write it as maxResultBytes",
        "redact": "write redactSecrets: true, and extra regular expressions under redactPatterns",
        "patterns": "write it as redactPatterns",
        "secrets": "write it as redactSecrets",
    ]

    static func parse(_ mapping: ConfigNode.Mapping, path: KeyPath, into settings: inout ProxySettings, reader: inout ConfigReader) {
        guard let node = reader.optional(mapping, "guards") else { return }
        let here = path.key("guards")
        guard let section = reader.mapping(node, at: here, expected: "a mapping (maxResultBytes, redactSecrets, redactPatterns)") else { return }
        reader.checkKeys(section, at: here, known: keys, hints: hints, what: "proxy.guards")
        var guards = GuardSettings()
        let problemsBefore = reader.problems.count
        if let sizeNode = reader.optional(section, "maxResultBytes"), let size = reader.int(sizeNode, at: here.key("maxResultBytes"), minimum: 1) {
            guards.maxResultBytes = size
        }
        if let redactNode = reader.optional(section, "redactSecrets"), let redact = reader.bool(redactNode, at: here.key("redactSecrets")) {
            guards.redactSecrets = redact
        }
        if let patternsNode = reader.optional(section, "redactPatterns"),
           let patterns = reader.stringList(patternsNode, at: here.key("redactPatterns"), itemExpected: "a regular expression") {
            var valid = true
            if case .list(let items) = patternsNode.value {
                for (index, pattern) in patterns.enumerated() {
                    if let message = regexProblem(pattern) {
                        reader.problem(here.key("redactPatterns").index(index), message, line: items[index].line)
                        valid = false
                    }
                }
            }
            if valid { guards.redactPatterns = patterns }
        }
        if !guards.isActive && reader.problems.count == problemsBefore {
            reader.warning(here, "no guard is on: set maxResultBytes, redactSecrets: true or redactPatterns, or remove the section", line: node.line)
        }
        settings.guards = guards
    }

    /// Why `pattern` is not a usable regular expression, or nil.
    static func regexProblem(_ pattern: String) -> String? {
        if pattern.isEmpty { return "expected a regular expression, found an empty string" }
        do {
            let regex = try Regex(pattern)
            if (try? regex.firstMatch(in: ""))?.output[0].substring?.isEmpty == true {
                return "'\(pattern)' matches the empty string, so it would redact nothing useful; make it require at least one character"
            }
        } catch {
            return "'\(pattern)' is not a valid regular expression: \(error)"
        }
        return nil
    }
}
