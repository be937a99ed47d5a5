/// An `http://host:port/path` address (no TLS: load tests run on loopback).
struct EndpointURL: Sendable, CustomStringConvertible {
    let host: String
    let port: Int
    let path: String

    init(_ text: String) throws(BenchError) {
        guard text.hasPrefix("http://") else {
            throw BenchError("'\(text)' is not an http:// URL; give the endpoint like http://127.0.0.1:8080/mcp (https is not supported)")
        }
        let rest = text.dropFirst("http://".count)
        let authority = rest.prefix { $0 != "/" }
        path = rest.count > authority.count ? String(rest.dropFirst(authority.count)) : "/"
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw BenchError("'\(text)': unterminated IPv6 address") }
            host = String(authority[authority.index(after: authority.startIndex)..<close])
            let after = authority[authority.index(after: close)...]
            port = after.hasPrefix(":") ? Int(after.dropFirst()) ?? -1 : 80
        } else if let colon = authority.lastIndex(of: ":") {
            host = String(authority[..<colon])
            port = Int(authority[authority.index(after: colon)...]) ?? -1
        } else {
            host = String(authority)
            port = 80
        }
        guard !host.isEmpty, (1...65535).contains(port) else {
            throw BenchError("'\(text)': the host or port is not valid; give the endpoint like http://127.0.0.1:8080/mcp")
        }
    }

    /// The Host header value.
    var hostHeader: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    var description: String { "http://\(hostHeader)\(path)" }
}
