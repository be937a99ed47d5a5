/// Yams refuses a mapping with a duplicated key and stops. To still report every other problem,
/// the loader renames the first occurrence of the key in the text to a marked name and parses
/// again; the tree builder recognises the marker, drops that entry and records the duplicate.
enum DuplicateKeyMarker {
    static let prefix = "__mcp_config_duplicate_key__"

    /// The text with the key that starts at `line`:`column` (1-based, column in Unicode scalars,
    /// as libyaml counts) renamed to carry the marker with the unique number `serial` (so two
    /// marked copies of one key do not collide), or `nil` if that position is not in `text`.
    static func mark(text: String, line: Int, column: Int, serial: Int) -> String? {
        guard line >= 1, column >= 1 else { return nil }
        var scalars = Array(text.unicodeScalars)
        guard var index = offset(in: scalars, line: line, column: column) else { return nil }
        if scalars[index] == "\"" || scalars[index] == "'" { index += 1 }
        scalars.insert(contentsOf: (prefix + "\(serial)_").unicodeScalars, at: index)
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars)
        return String(view)
    }

    /// The index of the scalar at `line`:`column`, counting line breaks as libyaml does
    /// (`\r\n`, `\r`, `\n`, NEL, LS and PS each end a line).
    private static func offset(in scalars: [Unicode.Scalar], line: Int, column: Int) -> Int? {
        var currentLine = 1
        var index = 0
        while currentLine < line {
            guard index < scalars.count else { return nil }
            let scalar = scalars[index]
            index += 1
            switch scalar {
            case "\r":
                if index < scalars.count, scalars[index] == "\n" { index += 1 }
                currentLine += 1
            case "\n", "\u{85}", "\u{2028}", "\u{2029}":
                currentLine += 1
            default:
                break
            }
        }
        let target = index + column - 1
        guard target < scalars.count else { return nil }
        for scalar in scalars[index..<target] where ["\r", "\n", "\u{85}", "\u{2028}", "\u{2029}"].contains(scalar) {
            return nil
        }
        return target
    }

    /// The original key if `key` carries the marker.
    static func originalKey(_ key: String) -> String? {
        guard key.hasPrefix(prefix) else { return nil }
        let rest = key.dropFirst(prefix.count).drop { $0.isASCII && $0.isNumber }
        guard rest.first == "_" else { return nil }
        return String(rest.dropFirst())
    }
}
