/// Reads typed values out of a ``ConfigNode`` tree while collecting every problem and warning
/// with its key path and line, instead of stopping at the first.
struct ConfigReader {
    let file: String
    let expander: EnvironmentExpander
    private(set) var problems: [ConfigProblem] = []
    private(set) var warnings: [ConfigProblem] = []

    init(file: String, environment: [String: String]) {
        self.file = file
        self.expander = EnvironmentExpander(environment: environment)
    }

    // MARK: Reporting

    mutating func problem(_ path: KeyPath, _ message: String, line: Int?) {
        problems.append(ConfigProblem(file: file, keyPath: path.description, message: message, line: line))
    }

    mutating func warning(_ path: KeyPath, _ message: String, line: Int?) {
        warnings.append(ConfigProblem(file: file, keyPath: path.description, message: message, line: line))
    }

    // MARK: Structure

    /// The node as a mapping, reporting the issues recorded while it was built (duplicated keys,
    /// bad merges); `nil` with a problem if it is not a mapping.
    mutating func mapping(_ node: ConfigNode, at path: KeyPath, expected: String = "a mapping of keys to values") -> ConfigNode.Mapping? {
        guard case .mapping(let mapping) = node.value else {
            problem(path, "expected \(expected), found \(node.kindDescription)", line: node.line)
            return nil
        }
        for issue in mapping.issues {
            problem(issue.key.map { path.key($0) } ?? path, issue.message, line: issue.line ?? node.line)
        }
        return mapping
    }

    /// Reports every key of `mapping` that is not in `known`, with a spelling suggestion or, when
    /// there is none, the list of allowed keys. Keys in `tolerated` are ignored with a warning
    /// giving the reason; keys in `hints` get that hint instead of a spelling suggestion.
    mutating func checkKeys(
        _ mapping: ConfigNode.Mapping, at path: KeyPath, known: [String],
        tolerated: [String: String] = [:], hints: [String: String] = [:], what: String
    ) {
        for entry in mapping.entries where !known.contains(entry.key) {
            if let reason = tolerated[entry.key] {
                warning(path.key(entry.key), reason, line: entry.keyLine)
                continue
            }
            let hint = hints[entry.key].map { "; \($0)" }
                ?? KeySuggestion.hint(for: entry.key, among: known)
            let detail = hint.isEmpty ? " (allowed: \(known.joined(separator: ", ")))" : hint
            problem(path.key(entry.key), "unknown key in \(what)\(detail)", line: entry.keyLine)
        }
    }

    /// The value of `key` in `mapping`, or `nil` when the key is absent or null.
    func optional(_ mapping: ConfigNode.Mapping, _ key: String) -> ConfigNode? {
        guard let entry = mapping.entry(key), !entry.value.isNull else { return nil }
        return entry.value
    }

    // MARK: Scalars

    /// A string, with `${VAR}` expanded. Numbers and booleans are accepted as their text
    /// (`version: 1.0` is "1.0"); lists, mappings and null are problems.
    mutating func string(_ node: ConfigNode, at path: KeyPath, expected: String = "a string") -> String? {
        guard case .scalar(let scalar) = node.value, scalar.kind != .null else {
            problem(path, "expected \(expected), found \(node.kindDescription)", line: node.line)
            return nil
        }
        return expand(scalar.text, at: path, line: node.line)
    }

    /// A string that is not empty or blank.
    mutating func nonEmptyString(_ node: ConfigNode, at path: KeyPath, expected: String) -> String? {
        guard let text = string(node, at: path, expected: expected) else { return nil }
        if text.allSatisfy(\.isWhitespace) {
            problem(path, "expected \(expected), found an empty string", line: node.line)
            return nil
        }
        return text
    }

    /// `text` with `${VAR}` references expanded, reporting each failure.
    mutating func expand(_ text: String, at path: KeyPath, line: Int?) -> String? {
        switch expander.expand(text) {
        case .expanded(let expanded):
            return expanded
        case .failed(let failures):
            for failure in failures { problem(path, failure.message, line: line) }
            return nil
        }
    }

    /// A string written as a `${...}` reference, expanded, for a typed field. `nil` (without a
    /// problem) if the node is not such a string.
    private mutating func expandedReference(_ node: ConfigNode, at path: KeyPath) -> (text: String?, isReference: Bool) {
        guard case .scalar(let scalar) = node.value, scalar.kind == .string, scalar.text.contains("${") else {
            return (nil, false)
        }
        return (expand(scalar.text, at: path, line: node.line), true)
    }

    /// A boolean (`true`/`false`, also YAML's `yes`/`no`/`on`/`off`), or a `${...}` string that
    /// expands to one of those.
    mutating func bool(_ node: ConfigNode, at path: KeyPath) -> Bool? {
        if case .scalar(let scalar) = node.value, case .bool(let value) = scalar.kind { return value }
        let reference = expandedReference(node, at: path)
        if reference.isReference {
            guard let text = reference.text else { return nil }
            switch text.lowercased() {
            case "true", "yes", "on", "1": return true
            case "false", "no", "off", "0": return false
            default:
                problem(path, "expected true or false, but '\(node.scalarText)' expanded to \"\(ConfigNode.abbreviated(text))\"", line: node.line)
                return nil
            }
        }
        problem(path, "expected true or false, found \(node.kindDescription)", line: node.line)
        return nil
    }

    /// A whole number of at least `minimum`, or a `${...}` string that expands to one.
    mutating func int(_ node: ConfigNode, at path: KeyPath, minimum: Int) -> Int? {
        var value: Int?
        if case .scalar(let scalar) = node.value, case .int(let number) = scalar.kind {
            value = number
        } else {
            let reference = expandedReference(node, at: path)
            if reference.isReference {
                guard let text = reference.text else { return nil }
                guard let number = Int(text.trimmingSpaces()) else {
                    problem(path, "expected a whole number, but '\(node.scalarText)' expanded to \"\(ConfigNode.abbreviated(text))\"", line: node.line)
                    return nil
                }
                value = number
            }
        }
        guard let value else {
            problem(path, "expected a whole number, found \(node.kindDescription)", line: node.line)
            return nil
        }
        guard value >= minimum else {
            problem(path, "must be \(minimum == 1 ? "greater than 0" : "at least \(minimum)"), found \(value)", line: node.line)
            return nil
        }
        return value
    }

    /// A number (whole or decimal), or a `${...}` string that expands to one. With
    /// `allowZero: false` it must be greater than 0, else at least 0.
    mutating func seconds(_ node: ConfigNode, at path: KeyPath, allowZero: Bool) -> Double? {
        var value: Double?
        if case .scalar(let scalar) = node.value {
            switch scalar.kind {
            case .int(let number): value = Double(number)
            case .float(let number): value = number
            default: break
            }
        }
        if value == nil {
            let reference = expandedReference(node, at: path)
            if reference.isReference {
                guard let text = reference.text else { return nil }
                guard let number = Double(text.trimmingSpaces()) else {
                    problem(path, "expected a number of seconds, but '\(node.scalarText)' expanded to \"\(ConfigNode.abbreviated(text))\"", line: node.line)
                    return nil
                }
                value = number
            }
        }
        guard let value else {
            problem(path, "expected a number of seconds, found \(node.kindDescription)", line: node.line)
            return nil
        }
        guard value.isFinite, allowZero ? value >= 0 : value > 0 else {
            problem(path, "must be \(allowZero ? "0 or more" : "greater than 0") seconds, found \(value)", line: node.line)
            return nil
        }
        return value
    }

    /// One of `allowed`, with a suggestion when the value is a near miss.
    mutating func choice(_ node: ConfigNode, at path: KeyPath, allowed: [String]) -> String? {
        let list = allowed.joined(separator: ", ")
        guard case .scalar(let scalar) = node.value, scalar.kind != .null else {
            problem(path, "expected one of \(list), found \(node.kindDescription)", line: node.line)
            return nil
        }
        guard let text = expand(scalar.text, at: path, line: node.line) else { return nil }
        guard allowed.contains(text) else {
            let hint = KeySuggestion.hint(for: text, among: allowed)
            problem(path, "expected one of \(list), found \"\(ConfigNode.abbreviated(text))\"\(hint)", line: node.line)
            return nil
        }
        return text
    }

    // MARK: Collections

    /// A list of strings. A list that has bad items reports each and yields `nil`.
    mutating func stringList(_ node: ConfigNode, at path: KeyPath, itemExpected: String = "a string") -> [String]? {
        guard case .list(let items) = node.value else {
            problem(path, "expected a list of strings, found \(node.kindDescription)", line: node.line)
            return nil
        }
        var result: [String] = []
        var valid = true
        for (index, item) in items.enumerated() {
            if let text = string(item, at: path.index(index), expected: itemExpected) {
                result.append(text)
            } else {
                valid = false
            }
        }
        return valid ? result : nil
    }

    /// A list of glob patterns, each checked for syntax.
    mutating func globList(_ node: ConfigNode, at path: KeyPath) -> [String]? {
        guard let patterns = stringList(node, at: path, itemExpected: "a glob pattern") else { return nil }
        var valid = true
        if case .list(let items) = node.value {
            for (index, pattern) in patterns.enumerated() {
                if let message = GlobSyntax.problem(in: pattern) {
                    problem(path.index(index), message, line: items[index].line)
                    valid = false
                }
            }
        }
        return valid ? patterns : nil
    }

    /// A glob pattern, checked for syntax.
    mutating func glob(_ node: ConfigNode, at path: KeyPath) -> String? {
        guard let pattern = string(node, at: path, expected: "a glob pattern") else { return nil }
        if let message = GlobSyntax.problem(in: pattern) {
            problem(path, message, line: node.line)
            return nil
        }
        return pattern
    }

    /// A mapping of strings to strings (`env`, `headers`). `keyRule` checks each key and returns
    /// a problem message for a bad one.
    mutating func stringMap(_ node: ConfigNode, at path: KeyPath, keyRule: (String) -> String? = { _ in nil }) -> [String: String]? {
        guard let mapping = mapping(node, at: path, expected: "a mapping of names to strings") else { return nil }
        var result: [String: String] = [:]
        var valid = true
        for entry in mapping.entries {
            if let message = keyRule(entry.key) {
                problem(path.key(entry.key), message, line: entry.keyLine)
                valid = false
                continue
            }
            if let text = string(entry.value, at: path.key(entry.key)) {
                result[entry.key] = text
            } else {
                valid = false
            }
        }
        return valid ? result : nil
    }
}

extension ConfigNode {
    /// The source text of a scalar, for messages; empty for collections.
    var scalarText: String {
        if case .scalar(let scalar) = value { return ConfigNode.abbreviated(scalar.text) }
        return ""
    }
}

private extension String {
    func trimmingSpaces() -> String {
        var text = Substring(self)
        while text.first?.isWhitespace == true { text.removeFirst() }
        while text.last?.isWhitespace == true { text.removeLast() }
        return String(text)
    }
}
