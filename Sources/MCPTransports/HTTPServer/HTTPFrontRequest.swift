import JSONRPC
import NIOCore
import NIOHTTP1

/// One complete HTTP request as the front received it: head and the whole (bounded) body, and
/// the principal admission established (``Principal/anonymous`` without admission).
struct HTTPFrontRequest: Sendable {
    let head: HTTPRequestHead
    let body: ByteBuffer
    let remoteAddress: String?
    var principal: Principal = .anonymous

    /// The request target's path, without the query string.
    var path: Substring {
        Self.path(of: head.uri)
    }

    /// The path of a request target, without the query string.
    static func path(of uri: String) -> Substring {
        guard let mark = uri.firstIndex(of: "?") else { return Substring(uri) }
        return uri[..<mark]
    }

    /// The first value of query parameter `name` (no percent-decoding: ids are hex).
    func queryValue(_ name: String) -> Substring? {
        let uri = head.uri
        guard let mark = uri.firstIndex(of: "?") else { return nil }
        for pair in uri[uri.index(after: mark)...].split(separator: "&") {
            guard let equals = pair.firstIndex(of: "=") else { continue }
            if pair[..<equals] == name { return pair[pair.index(after: equals)...] }
        }
        return nil
    }

    /// The first value of header `name` (case-insensitive), trimmed.
    func header(_ name: String) -> String? {
        head.headers.first(name: name)
    }
}

extension SocketAddress {
    /// `ip:port` (`[ip]:port` for IPv6), or nil for addresses without an IP.
    var ipAndPortText: String? {
        guard let ip = ipAddress, let port else { return nil }
        if case .v6 = self { return "[\(ip)]:\(port)" }
        return "\(ip):\(port)"
    }
}
