import Foundation

/// Readers for the value shapes the security sections use: rates, URLs that must be HTTPS (or
/// HTTP to this machine), and lists of names.
extension ConfigReader {
    /// A number greater than 0 (fractions allowed), or a `${...}` string that expands to one.
    mutating func positiveNumber(_ node: ConfigNode, at path: KeyPath, expected: String) -> Double? {
        var value: Double?
        if case .scalar(let scalar) = node.value {
            switch scalar.kind {
            case .int(let number): value = Double(number)
            case .float(let number): value = number
            case .string:
                guard let text = string(node, at: path) else { return nil }
                value = Double(text.trimmingCharacters(in: .whitespaces))
            default: break
            }
        }
        guard let value else {
            problem(path, "expected \(expected), found \(node.kindDescription)", line: node.line)
            return nil
        }
        guard value.isFinite, value > 0 else {
            problem(path, "must be greater than 0, found \(value); fractions are allowed (0.5 is one every 2 seconds)", line: node.line)
            return nil
        }
        return value
    }

    /// A list of non-empty strings (role, scope or subject names).
    mutating func nameList(_ node: ConfigNode, at path: KeyPath, itemExpected: String) -> [String]? {
        guard let names = stringList(node, at: path, itemExpected: itemExpected) else { return nil }
        var valid = true
        if case .list(let items) = node.value {
            for (index, name) in names.enumerated() where name.allSatisfy(\.isWhitespace) {
                problem(path.index(index), "expected \(itemExpected), found an empty string", line: items[index].line)
                valid = false
            }
        }
        return valid ? names : nil
    }

    /// An absolute `https://` URL, or `http://` to a loopback host (localhost, 127.0.0.0/8, ::1).
    /// `allowFragment: false` also rejects a `#fragment` (RFC 8707 resource indicators).
    mutating func secureURL(_ node: ConfigNode, at path: KeyPath, example: String, allowFragment: Bool = true) -> String? {
        guard let text = nonEmptyString(node, at: path, expected: "an absolute URL such as \(example)") else { return nil }
        if let message = Self.secureURLProblem(text, example: example, allowFragment: allowFragment) {
            problem(path, message, line: node.line)
            return nil
        }
        return text
    }

    /// Why `text` is not an acceptable https (or loopback http) URL, or `nil`.
    static func secureURLProblem(_ text: String, example: String, allowFragment: Bool) -> String? {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
              let host = components.host, !host.isEmpty else {
            return "expected an absolute URL such as \(example), found \"\(ConfigNode.abbreviated(text))\""
        }
        if scheme == "http" {
            guard isLoopback(host) else {
                return "must use https:// (http:// is allowed only for localhost, 127.0.0.1 or ::1), found \"\(ConfigNode.abbreviated(text))\""
            }
        } else if scheme != "https" {
            return "the URL scheme must be https, found '\(scheme)'"
        }
        if !allowFragment, components.fragment != nil {
            return "must not contain a #fragment (RFC 8707); remove it"
        }
        return nil
    }

    /// Whether `host` names this machine: `localhost`, `127.x.x.x` or `::1`.
    static func isLoopback(_ host: String) -> Bool {
        var name = host.lowercased()
        if name.hasPrefix("["), name.hasSuffix("]") { name = String(name.dropFirst().dropLast()) }
        if name == "localhost" || name.hasSuffix(".localhost") || name == "::1" { return true }
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }
}
