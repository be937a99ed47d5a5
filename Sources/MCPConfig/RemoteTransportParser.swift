import Foundation

/// Reads the settings of a server reached over the network (`url`, `type`, `headers`).
enum RemoteTransportParser {
    static let schemes = ["http", "https", "ws", "wss"]

    /// The transport; header values that use the principal (`${principal.*}`) go to `templates`
    /// instead of the transport's fixed headers.
    static func read(_ mapping: ConfigNode.Mapping, url urlNode: ConfigNode, urlKey: String, declaredKind: RemoteKind?,
                     path: KeyPath, templates: inout [String: HeaderTemplate], reader: inout ConfigReader) -> TransportConfig? {
        var valid = true
        for key in StdioTransportParser.stdioOnlyKeys where mapping.entry(key) != nil {
            reader.problem(path.key(key), "only used by servers started with a command; remove it from this remote server", line: mapping.entry(key)?.keyLine)
            valid = false
        }
        var headers: [String: String] = [:]
        if let value = reader.optional(mapping, "headers") {
            if let map = readHeaders(value, at: path.key("headers"), templates: &templates, reader: &reader) { headers = map } else { valid = false }
        }
        let urlPath = path.key(urlKey)
        guard let text = reader.nonEmptyString(urlNode, at: urlPath, expected: "a URL such as https://host/mcp") else { return nil }
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
              components.host?.isEmpty == false else {
            reader.problem(urlPath, "expected an absolute URL such as https://host/mcp or wss://host/mcp, found \"\(ConfigNode.abbreviated(text))\"", line: urlNode.line)
            return nil
        }
        guard schemes.contains(scheme) else {
            reader.problem(urlPath, "the URL scheme must be http, https, ws or wss, found '\(scheme)'", line: urlNode.line)
            return nil
        }
        let isWebSocket = scheme == "ws" || scheme == "wss"
        let kind: RemoteKind
        if let declaredKind {
            guard (declaredKind == .webSocket) == isWebSocket else {
                let needed = declaredKind == .webSocket ? "ws:// or wss://" : "http:// or https://"
                reader.problem(urlPath, "the server's type (\(declaredKind.rawValue)) needs a \(needed) URL, found '\(scheme)://'", line: urlNode.line)
                return nil
            }
            kind = declaredKind
        } else if isWebSocket {
            kind = .webSocket
        } else {
            kind = components.path.hasSuffix("/sse") ? .sse : .streamableHTTP
        }
        guard valid else { return nil }
        return .remote(url: text, kind: kind, headers: headers)
    }

    /// `headers`: fixed values (`${ENV}`-expanded), and templates for values that use the principal.
    private static func readHeaders(_ node: ConfigNode, at path: KeyPath, templates: inout [String: HeaderTemplate],
                                    reader: inout ConfigReader) -> [String: String]? {
        guard let mapping = reader.mapping(node, at: path, expected: "a mapping of header names to strings") else { return nil }
        var result: [String: String] = [:]
        var valid = true
        for entry in mapping.entries {
            let here = path.key(entry.key)
            if let message = headerNameProblem(entry.key) {
                reader.problem(here, message, line: entry.keyLine)
                valid = false
                continue
            }
            if case .scalar(let scalar) = entry.value.value, HeaderTemplateParser.mentionsPrincipal(scalar.text) {
                if let template = HeaderTemplateParser.parse(scalar.text, at: here, line: entry.value.line, reader: &reader) {
                    templates[entry.key] = template
                } else {
                    valid = false
                }
            } else if let text = reader.string(entry.value, at: here) {
                result[entry.key] = text
            } else {
                valid = false
            }
        }
        return valid ? result : nil
    }

    private static func headerNameProblem(_ name: String) -> String? {
        let allowed = CharacterSet(charactersIn: "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
        if name.isEmpty || !name.unicodeScalars.allSatisfy(allowed.contains) {
            return "not a valid HTTP header name; use letters, digits and - (e.g. Authorization, X-Api-Key)"
        }
        return nil
    }
}
