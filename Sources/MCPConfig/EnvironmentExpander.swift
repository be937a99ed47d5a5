/// Expands `${VAR}` and `${VAR:-default}` in configuration strings from an environment.
///
/// - `${VAR}` is the value of `VAR`; if `VAR` is not set that is a problem.
/// - `${VAR:-default}` is the value of `VAR` if it is set and not empty, else `default` (which may
///   itself contain `${...}`).
/// - `$$` is a literal `$`. A `$` followed by anything else is kept as it is, so `$5` and
///   `$HOME` (no braces) stay literal.
struct EnvironmentExpander: Sendable {
    /// Why a string could not be expanded.
    enum Failure: Sendable, Equatable {
        /// A `${VAR}` without default named a variable that is not set.
        case missing(String)
        /// The `${...}` syntax is broken; the message says how.
        case syntax(String)
        /// A `${principal.…}` template where only environment variables are expanded.
        case principalTemplate

        var message: String {
            switch self {
            case .missing(let name):
                return "environment variable '\(name)' is not set; set it, or give a default with ${\(name):-value}"
            case .syntax(let detail):
                return detail + "; write ${NAME} or ${NAME:-default}, and $$ for a literal $"
            case .principalTemplate:
                return "${principal.…} templates are only allowed in the headers of a remote server (stdio servers and other settings cannot use them yet); write $${ for a literal ${"
            }
        }
    }

    var environment: [String: String]

    /// Whether `text` contains anything the expander would change.
    static func needsExpansion(_ text: String) -> Bool {
        text.contains("$")
    }

    /// The outcome of expanding one string.
    enum Outcome: Sendable, Equatable {
        case expanded(String)
        case failed([Failure])
    }

    /// The expanded text, or every failure found in it (only the syntax failures if there are
    /// any, since a broken reference makes the rest of the text unreliable).
    func expand(_ text: String) -> Outcome {
        guard Self.needsExpansion(text) else { return .expanded(text) }
        var parser = Parser(scalars: Array(text.unicodeScalars), environment: environment)
        let expanded = parser.parse(insideDefault: false, reportMissing: true)
        if parser.failures.isEmpty { return .expanded(expanded) }
        let syntax = parser.failures.filter {
            switch $0 {
            case .syntax, .principalTemplate: return true
            case .missing: return false
            }
        }
        return .failed(syntax.isEmpty ? parser.failures : syntax)
    }

    private struct Parser {
        let scalars: [Unicode.Scalar]
        let environment: [String: String]
        var position = 0
        var failures: [Failure] = []

        init(scalars: [Unicode.Scalar], environment: [String: String]) {
            self.scalars = scalars
            self.environment = environment
        }

        /// Parses up to the end of the text, or up to an unmatched `}` inside a default.
        mutating func parse(insideDefault: Bool, reportMissing: Bool) -> String {
            var out = String.UnicodeScalarView()
            while position < scalars.count {
                let scalar = scalars[position]
                if insideDefault && scalar == "}" { return String(out) }
                guard scalar == "$", position + 1 < scalars.count else {
                    out.append(scalar)
                    position += 1
                    continue
                }
                switch scalars[position + 1] {
                case "$":
                    out.append("$")
                    position += 2
                case "{":
                    position += 2
                    guard let value = reference(reportMissing: reportMissing) else {
                        position = scalars.count
                        return String(out)
                    }
                    out.append(contentsOf: value.unicodeScalars)
                default:
                    out.append(scalar)
                    position += 1
                }
            }
            if insideDefault {
                failures.append(.syntax("a '${' is never closed with '}'"))
            }
            return String(out)
        }

        /// Parses the rest of a `${...}` after the `${`. Returns `nil` on a syntax error.
        private mutating func reference(reportMissing: Bool) -> String? {
            let nameStart = position
            while position < scalars.count, isNameScalar(scalars[position]) { position += 1 }
            let name = String(String.UnicodeScalarView(scalars[nameStart..<position]))
            guard position < scalars.count else {
                failures.append(.syntax("'${\(name)' is never closed with '}'"))
                return nil
            }
            guard !name.isEmpty, let first = name.unicodeScalars.first, !("0"..."9").contains(first) else {
                failures.append(.syntax("'${' must be followed by a variable name (letters, digits and '_', not starting with a digit)"))
                return nil
            }
            let value = environment[name]
            if scalars[position] == "}" {
                position += 1
                if value == nil && reportMissing { failures.append(.missing(name)) }
                return value ?? ""
            }
            if name == "principal", scalars[position] == "." {
                failures.append(.principalTemplate)
                return nil
            }
            guard scalars[position] == ":", position + 1 < scalars.count, scalars[position + 1] == "-" else {
                failures.append(.syntax("unexpected '\(scalars[position])' after '${\(name)'"))
                return nil
            }
            position += 2
            let useDefault = (value ?? "").isEmpty
            let fallback = parse(insideDefault: true, reportMissing: reportMissing && useDefault)
            guard position < scalars.count, scalars[position] == "}" else { return nil }
            position += 1
            return useDefault ? fallback : (value ?? "")
        }

        private func isNameScalar(_ scalar: Unicode.Scalar) -> Bool {
            switch scalar {
            case "a"..."z", "A"..."Z", "0"..."9", "_": return true
            default: return false
            }
        }
    }
}
