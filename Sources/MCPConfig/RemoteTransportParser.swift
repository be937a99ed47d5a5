import Foundation

/// Reads the settings of a server reached over the network (`url`, `type`, `headers`).
enum RemoteTransportParser {
    static let schemes = ["http", "https", "ws", "wss"]

    static func read(_ mapping: ConfigNode.Mapping, url urlNode: ConfigNode, urlKey: String, declaredKind: RemoteKind?,
                     path: KeyPath, reader: inout ConfigReader) -> TransportConfig? {
        var valid = true
        for key in StdioTransportParser.stdioOnlyKeys where mapping.entry(key) != nil {
            reader.problem(path.key(key), "only used by servers started with a command; remove it from this remote server", line: mapping.entry(key)?.keyLine)
            valid = false
        }
        var headers: [String: String] = [:]
        if let value = reader.optional(mapping, "headers") {
            if let map = reader.stringMap(value, at: path.key("headers"), keyRule: headerNameProblem) { headers = map } else { valid = false }
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

    private static func headerNameProblem(_ name: String) -> String? {
        let allowed = CharacterSet(charactersIn: "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
        if name.isEmpty || !name.unicodeScalars.allSatisfy(allowed.contains) {
            return "not a valid HTTP header name; use letters, digits and - (e.g. Authorization, X-Api-Key)"
        }
        return nil
    }
}
