/// Builds Prometheus text exposition format 0.0.4: `# HELP` / `# TYPE` lines and samples with
/// escaped label values.
struct PrometheusTextWriter {
    private(set) var text = ""

    init(capacity: Int) {
        text.reserveCapacity(capacity)
    }

    /// Writes the `# HELP` and `# TYPE` lines that open a metric family.
    mutating func family(_ name: String, type: String, help: String) {
        text += "# HELP "
        text += name
        text += " "
        text += Self.escapeHelp(help)
        text += "\n# TYPE "
        text += name
        text += " "
        text += type
        text += "\n"
    }

    /// Writes one sample line: `name{label="value",...} value`.
    mutating func sample(_ name: String, labels: [(String, String)], value: String) {
        text += name
        if !labels.isEmpty {
            text += "{"
            var first = true
            for (labelName, labelValue) in labels {
                if !first { text += "," }
                first = false
                text += labelName
                text += "=\""
                text += Self.escapeLabelValue(labelValue)
                text += "\""
            }
            text += "}"
        }
        text += " "
        text += value
        text += "\n"
    }

    /// Label values escape backslash, double quote and line feed.
    static func escapeLabelValue(_ value: String) -> String {
        guard value.utf8.contains(where: { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\n") }) else {
            return value
        }
        var result = ""
        result.reserveCapacity(value.utf8.count + 8)
        for character in value.unicodeScalars {
            switch character {
            case "\\": result += "\\\\"
            case "\"": result += "\\\""
            case "\n": result += "\\n"
            default: result.unicodeScalars.append(character)
            }
        }
        return result
    }

    /// Help text escapes backslash and line feed.
    static func escapeHelp(_ help: String) -> String {
        guard help.utf8.contains(where: { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\n") }) else {
            return help
        }
        var result = ""
        result.reserveCapacity(help.utf8.count + 8)
        for character in help.unicodeScalars {
            switch character {
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            default: result.unicodeScalars.append(character)
            }
        }
        return result
    }

    /// Nanoseconds as a decimal number of seconds, exact: `1500000` -> `0.0015`.
    static func seconds(fromNanoseconds nanoseconds: UInt64) -> String {
        let whole = nanoseconds / 1_000_000_000
        var fraction = nanoseconds % 1_000_000_000
        guard fraction != 0 else {
            return String(whole)
        }
        var digits = 9
        while fraction % 10 == 0 {
            fraction /= 10
            digits -= 1
        }
        let fractionText = String(fraction)
        return String(whole) + "." + String(repeating: "0", count: digits - fractionText.count) + fractionText
    }
}
