/// Decides whether a request's `Origin` may talk to the front (DNS-rebinding protection).
struct OriginPolicy: Sendable {
    private let allowed: Set<String>

    init(allowedOrigins: [String]) {
        allowed = Set(allowedOrigins.map { $0.lowercased() })
    }

    /// True for no origin, an exactly listed origin, or a local origin (any port, http or https).
    func allows(_ origin: String?) -> Bool {
        guard let origin else { return true }
        let lowered = origin.lowercased()
        return allowed.contains(lowered) || Self.isLocal(lowered)
    }

    /// `http(s)://localhost`, `127.0.0.1` or `[::1]`, with an optional numeric port and nothing else.
    static func isLocal(_ origin: String) -> Bool {
        var rest = Substring(origin)
        if rest.hasPrefix("http://") {
            rest = rest.dropFirst(7)
        } else if rest.hasPrefix("https://") {
            rest = rest.dropFirst(8)
        } else {
            return false
        }
        for host in ["localhost", "127.0.0.1", "[::1]"] where rest.hasPrefix(host) {
            let tail = rest.dropFirst(host.count)
            if tail.isEmpty { return true }
            guard tail.first == ":" else { return false }
            let port = tail.dropFirst()
            return !port.isEmpty && port.count <= 5 && port.allSatisfy { $0.isASCII && $0.isNumber }
        }
        return false
    }
}
