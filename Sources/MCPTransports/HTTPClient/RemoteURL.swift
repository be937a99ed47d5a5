/// The parts of an `http`, `https`, `ws` or `wss` URL that a transport needs, parsed without Foundation.
struct RemoteURL: Sendable, Equatable {
    /// Lowercased scheme.
    var scheme: String
    /// Host name or address, without IPv6 brackets.
    var host: String
    /// The explicit port, if any.
    var port: Int?
    /// Path and query, starting with `/` (the fragment is dropped).
    var pathAndQuery: String

    /// Parses an absolute URL; the error says what is wrong with it.
    init(parsing text: String) throws(TransportError) {
        guard let schemeEnd = text.firstRange(of: "://") else {
            throw TransportError("'\(text)' is not an absolute URL; write it as scheme://host[:port]/path (http, https, ws or wss)")
        }
        let scheme = text[text.startIndex..<schemeEnd.lowerBound].lowercased()
        guard ["http", "https", "ws", "wss"].contains(scheme) else {
            throw TransportError("'\(text)' has the scheme '\(scheme)'; use http, https, ws or wss")
        }
        var rest = text[schemeEnd.upperBound...]
        if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        var path = String(rest[authorityEnd...])
        if path.isEmpty || path.first == "?" { path = "/" + path }
        guard !authority.contains("@") else {
            throw TransportError("'\(text)' carries credentials in the URL; put them in a header (headers: Authorization) instead")
        }
        var host: Substring
        var portText: Substring?
        if authority.first == "[" {
            guard let close = authority.firstIndex(of: "]") else {
                throw TransportError("'\(text)' has an IPv6 address without its closing ']'")
            }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if after.first == ":" { portText = after.dropFirst() } else if !after.isEmpty {
                throw TransportError("'\(text)' has unexpected text after the IPv6 address")
            }
        } else if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            portText = authority[authority.index(after: colon)...]
        } else {
            host = authority
        }
        guard !host.isEmpty else {
            throw TransportError("'\(text)' has no host; write it as scheme://host[:port]/path")
        }
        var port: Int?
        if let portText {
            guard let value = Int(portText), (1...65535).contains(value) else {
                throw TransportError("'\(text)' has the port '\(portText)'; use a number from 1 to 65535")
            }
            port = value
        }
        self.scheme = scheme
        self.host = String(host)
        self.port = port
        self.pathAndQuery = path
    }

    /// Whether the scheme uses TLS.
    var isSecure: Bool { scheme == "https" || scheme == "wss" }

    /// The port in use: the explicit one or the scheme's default.
    var effectivePort: Int { port ?? (isSecure ? 443 : 80) }

    /// `scheme://host[:port]` as written (IPv6 hosts in brackets).
    var origin: String {
        let hostPart = host.contains(":") ? "[\(host)]" : host
        return port.map { "\(scheme)://\(hostPart):\($0)" } ?? "\(scheme)://\(hostPart)"
    }

    /// The `Host` header value.
    var hostHeader: String {
        let hostPart = host.contains(":") ? "[\(host)]" : host
        return port.map { "\(hostPart):\($0)" } ?? hostPart
    }

    /// The whole URL, normalized.
    var absoluteString: String { origin + pathAndQuery }

    /// Whether `other` has the same scheme, host and port.
    func isSameOrigin(as other: RemoteURL) -> Bool {
        scheme == other.scheme && host.lowercased() == other.host.lowercased() && effectivePort == other.effectivePort
    }

    /// Resolves a URI reference (absolute, `//host`, `/path`, `?query` or a relative path) against this URL,
    /// as RFC 3986 section 5.2 does, including `.` and `..` segments.
    func resolving(_ reference: String) throws(TransportError) -> RemoteURL {
        if reference.contains("://") {
            return try RemoteURL(parsing: reference)
        }
        if reference.hasPrefix("//") {
            return try RemoteURL(parsing: scheme + ":" + reference)
        }
        var reference = Substring(reference)
        if let hash = reference.firstIndex(of: "#") { reference = reference[..<hash] }
        let basePath = pathAndQuery.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)[0]
        var resolved = self
        if reference.isEmpty {
            return resolved
        }
        if reference.first == "?" {
            resolved.pathAndQuery = String(basePath + reference)
            return resolved
        }
        let parts = reference.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let query = parts.count > 1 ? "?" + parts[1] : ""
        let merged: String
        if reference.first == "/" {
            merged = String(parts[0])
        } else if let slash = basePath.lastIndex(of: "/") {
            merged = String(basePath[...slash] + parts[0])
        } else {
            merged = "/" + parts[0]
        }
        resolved.pathAndQuery = Self.removingDotSegments(merged) + query
        return resolved
    }

    /// RFC 3986 section 5.2.4 on an absolute path.
    static func removingDotSegments(_ path: String) -> String {
        var output: [Substring] = []
        let segments = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        for (index, segment) in segments.enumerated() {
            let isLast = index == segments.count - 1
            switch segment {
            case ".":
                if isLast { output.append("") }
            case "..":
                if !output.isEmpty { output.removeLast() }
                if isLast { output.append("") }
            default:
                output.append(segment)
            }
        }
        return "/" + output.joined(separator: "/")
    }
}
