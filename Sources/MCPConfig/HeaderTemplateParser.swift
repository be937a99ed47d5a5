/// Reads a header value that may use the principal (`${principal.subject}`,
/// `${principal.claims.NAME}`, `${principal.roles}`) into a ``HeaderTemplate``. The text between
/// principal references is `${ENV}`-expanded as usual; `$${` stays a literal `${`.
enum HeaderTemplateParser {
    static let marker = Array("${principal.".unicodeScalars)
    static let fields = "${principal.subject}, ${principal.claims.NAME} or ${principal.roles}"

    /// Whether `raw` (the text as written) holds a principal reference (an escaped `$${` does not count).
    static func mentionsPrincipal(_ raw: String) -> Bool {
        guard raw.contains("${principal.") else { return false }
        let scalars = Array(raw.unicodeScalars)
        var index = 0
        while index < scalars.count {
            if scalars[index] == "$", index + 1 < scalars.count, scalars[index + 1] == "$" {
                index += 2
                continue
            }
            if startsMarker(scalars, at: index) { return true }
            index += 1
        }
        return false
    }

    /// The template of `raw`, or nil with each problem reported at `path`.
    static func parse(_ raw: String, at path: KeyPath, line: Int?, reader: inout ConfigReader) -> HeaderTemplate? {
        let scalars = Array(raw.unicodeScalars)
        var parts: [HeaderTemplate.Part] = []
        var chunk = String.UnicodeScalarView()
        var valid = true
        func flush(_ reader: inout ConfigReader) {
            guard !chunk.isEmpty else { return }
            if let text = reader.expand(String(chunk), at: path, line: line) {
                if !text.isEmpty { parts.append(.text(text)) }
            } else {
                valid = false
            }
            chunk = String.UnicodeScalarView()
        }
        var index = 0
        while index < scalars.count {
            if scalars[index] == "$", index + 1 < scalars.count, scalars[index + 1] == "$" {
                chunk.append(contentsOf: ["$", "$"])
                index += 2
                continue
            }
            guard startsMarker(scalars, at: index) else {
                chunk.append(scalars[index])
                index += 1
                continue
            }
            flush(&reader)
            let start = index + marker.count
            guard let close = scalars[start...].firstIndex(of: "}") else {
                reader.problem(path, "'${principal.' is never closed with '}'; write \(fields)", line: line)
                return nil
            }
            let field = String(String.UnicodeScalarView(scalars[start..<close]))
            if let part = part(field) {
                parts.append(part)
            } else {
                reader.problem(path, "'${principal.\(ConfigNode.abbreviated(field))}' is not a principal field; write \(fields)", line: line)
                valid = false
            }
            index = close + 1
        }
        flush(&reader)
        return valid ? HeaderTemplate(parts) : nil
    }

    private static func part(_ field: String) -> HeaderTemplate.Part? {
        switch field {
        case "subject": return .subject
        case "roles": return .roles
        default:
            let prefix = "claims."
            guard field.hasPrefix(prefix) else { return nil }
            let name = String(field.dropFirst(prefix.count))
            guard !name.isEmpty, !name.contains("$"), !name.contains("{") else { return nil }
            return .claim(name)
        }
    }

    private static func startsMarker(_ scalars: [Unicode.Scalar], at index: Int) -> Bool {
        guard index + marker.count <= scalars.count else { return false }
        for offset in 0..<marker.count where scalars[index + offset] != marker[offset] { return false }
        return true
    }
}
