import Yams

/// Parses configuration text (YAML, or JSON, which is YAML too) into a ``ConfigNode`` tree.
enum DocumentParser {
    /// How many duplicated keys are worked around before giving up.
    static let maxDuplicateRetries = 200
    /// How much text (UTF-8 bytes) the retries for duplicated keys may parse again, in all. Each
    /// duplicate costs one more parse of the whole text, so without a budget a text with many
    /// duplicates takes time quadratic in its size (4 KB of `? a:` lines took seconds; found by
    /// Fuzz/FuzzConfig). With it the work stays linear: at most this much plus the text itself.
    static let maxDuplicateReparseBytes = 64 << 10

    /// The outcome of parsing: a tree, or the syntax problems that stopped it.
    enum Outcome {
        case document(ConfigNode)
        case empty
        case failed([ConfigProblem])
    }

    static func parse(text: String, file: String) -> Outcome {
        var current = normalized(text)
        if let line = AliasKeyGuard.firstAliasInKey(current) {
            return .failed([ConfigProblem(
                file: file, keyPath: "",
                message: "an alias (*name) is used inside a mapping key; keys must be plain names, write the key out",
                line: line)])
        }
        var retries = 0
        var reparsedBytes = 0
        while true {
            do {
                guard let node = try Yams.compose(yaml: current) else { return .empty }
                var builder = ConfigTreeBuilder(budget: ConfigTreeBuilder.budget(forTextBytes: text.utf8.count))
                let tree = builder.build(node)
                if builder.exceededBudget {
                    return .failed([ConfigProblem(
                        file: file, keyPath: "",
                        message: "the document expands to more than \(builder.budget) values through aliases; "
                            + "write the values out instead of nesting aliases")])
                }
                return .document(tree)
            } catch let YamlError.duplicatedKeysInMapping(duplicates, context) {
                retries += 1
                reparsedBytes += current.utf8.count
                // Yams sorts the duplicated keys to pick the one whose position it gives, but its
                // order is not total: a mapping or sequence used as a key ("<uncovertable>") and
                // keys that differ only by tag (`1` and `"1"`) tie, and the tie is broken by hash
                // order, which changes from run to run. Marking that key would make the result
                // differ between two loads of the same text (found by Fuzz/FuzzConfig), so then
                // the duplicates are reported as they are, without a line.
                let ambiguous = Set(duplicates).count != duplicates.count || duplicates.contains("<uncovertable>")
                if !ambiguous, retries <= maxDuplicateRetries, reparsedBytes <= maxDuplicateReparseBytes,
                   let marked = DuplicateKeyMarker.mark(text: current, line: context.mark.line, column: context.mark.column, serial: retries),
                   marked != current {
                    current = marked
                    continue
                }
                let keys = duplicates.sorted().map { "'\($0)'" }.joined(separator: ", ")
                return .failed([ConfigProblem(
                    file: file, keyPath: "",
                    message: "duplicated key(s) \(keys) in the same mapping; keep only one of each",
                    line: ambiguous ? nil : context.mark.line)])
            } catch {
                return .failed([problem(for: error, file: file)])
            }
        }
    }

    /// JSON allows tab characters between tokens; libyaml rejects some of them. In a document
    /// that is JSON (starts with `{` or `[`), raw tabs can only appear between tokens (JSON
    /// strings must escape them), so they are replaced by spaces, keeping columns unchanged.
    static func normalized(_ text: String) -> String {
        var body = Substring(text)
        if body.hasPrefix("\u{FEFF}") { body = body.dropFirst() }
        guard let first = body.first(where: { !$0.isWhitespace }), first == "{" || first == "[",
              body.contains("\t") else { return String(body) }
        return String(body.map { $0 == "\t" ? " " : $0 })
    }

    private static func problem(for error: Error, file: String) -> ConfigProblem {
        guard let yamlError = error as? YamlError else {
            return ConfigProblem(file: file, keyPath: "", message: "cannot parse the document: \(error)")
        }
        switch yamlError {
        case let .scanner(context, problem, mark, _),
             let .parser(context, problem, mark, _),
             let .composer(context, problem, mark, _):
            var message = "syntax error: \(problem)"
            if let context {
                message += " (\(context.text) at line \(context.mark.line), column \(context.mark.column))"
            } else {
                message += " at column \(mark.column)"
            }
            return ConfigProblem(file: file, keyPath: "", message: message + hint(problem), line: mark.line)
        case let .reader(problem, offset, _, _):
            let at = offset.map { " at byte \($0)" } ?? ""
            return ConfigProblem(file: file, keyPath: "",
                                 message: "cannot read the text\(at): \(problem); save the file as UTF-8")
        default:
            return ConfigProblem(file: file, keyPath: "", message: "cannot parse the document: \(yamlError)")
        }
    }

    private static func hint(_ problem: String) -> String {
        if problem.contains("another document") {
            return "; a configuration file holds one document, remove the extra '---'"
        }
        if problem.contains("tab") {
            return "; indent YAML with spaces, not tabs"
        }
        return "; check the quoting, brackets and indentation"
    }
}
