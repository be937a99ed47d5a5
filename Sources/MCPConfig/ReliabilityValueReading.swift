import Foundation

/// Readers for the value shapes of the pool and reliability keys: durations with an upper bound,
/// milliseconds, whole numbers in a range, and sections that `false` switches off.
extension ConfigReader {
    /// The longest duration the pool and reliability keys accept: a year, in seconds. Longer
    /// values are mistakes, and would overflow `Duration` where the proxy converts them.
    static let longestDurationSeconds: Double = 31_536_000

    /// A number of seconds (see ``seconds(_:at:allowZero:)``) that is at most a year.
    mutating func duration(_ node: ConfigNode, at path: KeyPath, allowZero: Bool) -> Double? {
        guard let value = seconds(node, at: path, allowZero: allowZero) else { return nil }
        guard value <= Self.longestDurationSeconds else {
            problem(path, "must be at most \(Self.formatted(Self.longestDurationSeconds)) seconds (a year), found \(Self.formatted(value))", line: node.line)
            return nil
        }
        return value
    }

    /// A number of milliseconds, 0 or more and at most a year (fractions allowed), or a `${...}`
    /// string that expands to one.
    mutating func milliseconds(_ node: ConfigNode, at path: KeyPath) -> Double? {
        var value: Double?
        if case .scalar(let scalar) = node.value {
            switch scalar.kind {
            case .int(let number): value = Double(number)
            case .float(let number): value = number
            case .string where scalar.text.contains("${"):
                guard let text = expand(scalar.text, at: path, line: node.line) else { return nil }
                guard let number = Double(text.trimmingCharacters(in: .whitespaces)) else {
                    problem(path, "expected a number of milliseconds, but '\(node.scalarText)' expanded to \"\(ConfigNode.abbreviated(text))\"", line: node.line)
                    return nil
                }
                value = number
            default: break
            }
        }
        guard let value else {
            problem(path, "expected a number of milliseconds, found \(node.kindDescription)", line: node.line)
            return nil
        }
        let longest = Self.longestDurationSeconds * 1000
        guard value.isFinite, value >= 0, value <= longest else {
            let rule = value.isFinite && value > longest ? "at most \(Self.formatted(longest)) milliseconds (a year)" : "0 or more milliseconds"
            problem(path, "must be \(rule), found \(Self.formatted(value))", line: node.line)
            return nil
        }
        return value
    }

    /// A whole number in `range` (see ``int(_:at:minimum:)``); `meaning` follows the range in the
    /// message, e.g. "(1 = no retry)".
    mutating func int(_ node: ConfigNode, at path: KeyPath, in range: ClosedRange<Int>, meaning: String = "") -> Int? {
        guard let value = int(node, at: path, minimum: Int.min) else { return nil }
        guard range.contains(value) else {
            let note = meaning.isEmpty ? "" : " " + meaning
            problem(path, "must be from \(range.lowerBound) to \(range.upperBound)\(note), found \(value)", line: node.line)
            return nil
        }
        return value
    }

    /// What a key that is either a settings mapping or a switch (`true`/`false`) says.
    enum Toggle {
        /// `true`: on, with the default settings.
        case on
        /// `false` (or `off`, `no`): switched off.
        case off
        /// A mapping of settings.
        case section(ConfigNode.Mapping)
        /// Neither; a problem was reported.
        case invalid
    }

    /// A settings mapping, or `true`/`false` (also a `${...}` string that expands to one).
    mutating func toggle(_ node: ConfigNode, at path: KeyPath, expected: String) -> Toggle {
        if case .scalar(let scalar) = node.value {
            if case .bool(let flag) = scalar.kind { return flag ? .on : .off }
            if scalar.kind == .string, scalar.text.contains("${") {
                guard let flag = bool(node, at: path) else { return .invalid }
                return flag ? .on : .off
            }
        }
        guard let mapping = mapping(node, at: path, expected: expected) else { return .invalid }
        return .section(mapping)
    }

    /// `value` for messages: without a fraction when it is whole (`10`, not `10.0`).
    static func formatted(_ value: Double) -> String {
        if value.isFinite, value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }
}
