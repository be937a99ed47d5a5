/// Prometheus naming rules: metric names `[a-zA-Z_:][a-zA-Z0-9_:]*`, label names
/// `[a-zA-Z_][a-zA-Z0-9_]*` (the exposition format does not allow `:` in label names).
///
/// Sanitising replaces every other character with `_` and prefixes `_` to a leading digit,
/// so any string becomes a valid name and valid names stay unchanged.
enum PrometheusName {
    /// A valid metric name made from `raw`.
    static func metricName(_ raw: String) -> String {
        sanitize(raw, allowColon: true)
    }

    /// A valid label name made from `raw`.
    static func labelName(_ raw: String) -> String {
        sanitize(raw, allowColon: false)
    }

    /// Labels with sanitised names, sorted by name. When two raw names sanitise to the same
    /// name, the one whose raw name sorts first wins, so the result does not depend on
    /// dictionary order.
    static func labels(_ raw: [String: String]) -> [(String, String)] {
        var result: [(String, String)] = []
        result.reserveCapacity(raw.count)
        for (rawName, value) in raw.sorted(by: { $0.key < $1.key }) {
            let name = labelName(rawName)
            if !result.contains(where: { $0.0 == name }) {
                result.append((name, value))
            }
        }
        result.sort { $0.0 < $1.0 }
        return result
    }

    private static func sanitize(_ raw: String, allowColon: Bool) -> String {
        if isValid(raw, allowColon: allowColon) {
            return raw
        }
        var result = String.UnicodeScalarView()
        for scalar in raw.unicodeScalars {
            result.append(isAllowed(scalar, allowColon: allowColon) ? scalar : "_")
        }
        guard let first = result.first else {
            return "_"
        }
        if isDigit(first) {
            result.insert("_", at: result.startIndex)
        }
        return String(result)
    }

    private static func isValid(_ raw: String, allowColon: Bool) -> Bool {
        guard let first = raw.unicodeScalars.first, !isDigit(first) else {
            return false
        }
        return raw.unicodeScalars.allSatisfy { isAllowed($0, allowColon: allowColon) }
    }

    private static func isAllowed(_ scalar: Unicode.Scalar, allowColon: Bool) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9", "_": true
        case ":": allowColon
        default: false
        }
    }

    private static func isDigit(_ scalar: Unicode.Scalar) -> Bool {
        ("0"..."9").contains(scalar)
    }
}
