/// Where a Redis server is and how to log in: `redis://[user[:password]@]host[:port][/db]`, or
/// `rediss://` for TLS. The user and password may be percent-encoded (`%40` for `@`); a host
/// that is an IPv6 address goes in brackets (`redis://[::1]:6379`).
public struct RedisURL: Sendable, Hashable, CustomStringConvertible {
    /// The host name or IP address (IPv6 without its brackets).
    public var host: String
    /// The TCP port (default 6379).
    public var port: Int
    /// Whether the connection uses TLS (`rediss://`).
    public var tls: Bool
    /// The ACL user name, if any (`nil` logs in as `default` when a password is given).
    public var user: String?
    /// The password, if any.
    public var password: String?
    /// The database number selected after connecting (default 0).
    public var database: Int

    /// The default Redis port, 6379.
    public static let defaultPort = 6379

    /// Makes a URL from its parts.
    public init(host: String, port: Int = Self.defaultPort, tls: Bool = false, user: String? = nil, password: String? = nil, database: Int = 0) {
        self.host = host
        self.port = port
        self.tls = tls
        self.user = user
        self.password = password
        self.database = database
    }

    /// Reads a URL; throws ``RedisError/invalidURL(_:)`` naming the part that is wrong.
    public init(parsing text: String) throws(RedisError) {
        let tls: Bool
        var rest: Substring
        if text.hasPrefix("redis://") {
            tls = false
            rest = text.dropFirst("redis://".count)
        } else if text.hasPrefix("rediss://") {
            tls = true
            rest = text.dropFirst("rediss://".count)
        } else {
            throw .invalidURL("'\(Self.redacted(text))' does not start with redis:// or rediss://")
        }
        var user: String?
        var password: String?
        if let at = rest.lastIndex(of: "@") {
            let credentials = rest[..<at]
            rest = rest[rest.index(after: at)...]
            if let colon = credentials.firstIndex(of: ":") {
                user = try Self.percentDecoded(credentials[..<colon], part: "user")
                password = try Self.percentDecoded(credentials[credentials.index(after: colon)...], part: "password")
            } else {
                user = try Self.percentDecoded(credentials, part: "user")
            }
            if user?.isEmpty == true { user = nil }
            if password?.isEmpty == true { password = nil }
            if user != nil, password == nil {
                throw .invalidURL("user '\(user ?? "")' without a password: write user:password@ (or :password@ for the default user)")
            }
        }
        if let query = rest.firstIndex(where: { $0 == "?" || $0 == "#" }) {
            throw .invalidURL("query and fragment ('\(rest[query...])') are not supported")
        }
        var database = 0
        if let slash = rest.firstIndex(of: "/") {
            let path = rest[rest.index(after: slash)...]
            rest = rest[..<slash]
            if !path.isEmpty {
                guard let number = Int(path), number >= 0, number < 1 << 16 else {
                    throw .invalidURL("the database '/\(path)' is not a number from 0 (redis://host:6379/0)")
                }
                database = number
            }
        }
        var host: Substring
        var portText: Substring?
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else {
                throw .invalidURL("an IPv6 host without its closing ']'")
            }
            host = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw .invalidURL("unexpected '\(after)' after the IPv6 host") }
                portText = after.dropFirst()
            }
        } else if let colon = rest.lastIndex(of: ":") {
            host = rest[..<colon]
            portText = rest[rest.index(after: colon)...]
        } else {
            host = rest
        }
        guard !host.isEmpty else { throw .invalidURL("no host (redis://127.0.0.1:6379)") }
        var port = Self.defaultPort
        if let portText {
            guard let number = Int(portText), (1...65535).contains(number) else {
                throw .invalidURL("the port '\(portText)' is not a number from 1 to 65535")
            }
            port = number
        }
        self.init(host: String(host), port: port, tls: tls, user: user, password: password, database: database)
    }

    /// The URL with the password replaced by `***`, safe for logs.
    public var description: String {
        var text = self.tls ? "rediss://" : "redis://"
        if self.user != nil || self.password != nil {
            text += self.user ?? ""
            if self.password != nil { text += ":***" }
            text += "@"
        }
        text += self.host.contains(":") ? "[\(self.host)]" : self.host
        text += ":\(self.port)/\(self.database)"
        return text
    }

    private static func redacted(_ text: String) -> String {
        guard let at = text.lastIndex(of: "@") else { return text }
        return "***" + text[at...]
    }

    private static func percentDecoded(_ text: Substring, part: String) throws(RedisError) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(Self.hexValue), let low = iterator.next().flatMap(Self.hexValue) else {
                throw .invalidURL("a bad percent escape in the \(part) (write %40 for @, %3A for :, %25 for %)")
            }
            bytes.append(high << 4 | low)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
