/// The raw credentials a transport saw on a request or connection, before anything is checked.
///
/// Transports fill this from the HTTP request (`Authorization: Bearer`, `X-API-Key`) and the TLS
/// layer (a verified client certificate's subject); an ``Authenticator`` turns it into a
/// ``Principal``. Tokens are never taken from the query string.
public struct Credentials: Sendable, Hashable {
    /// The token of an `Authorization: Bearer <token>` header, without the scheme.
    public var bearerToken: String?
    /// The value of an `X-API-Key` header.
    public var apiKey: String?
    /// The subject of the peer certificate that the TLS layer verified (mutual TLS), if any.
    public var peerSubject: String?
    /// The remote address (for pre-authentication limits and logs), if known.
    public var remoteAddress: String?

    /// Creates credentials from already-extracted values.
    public init(bearerToken: String? = nil, apiKey: String? = nil, peerSubject: String? = nil, remoteAddress: String? = nil) {
        self.bearerToken = bearerToken
        self.apiKey = apiKey
        self.peerSubject = peerSubject
        self.remoteAddress = remoteAddress
    }

    /// Creates credentials from raw header values: `authorization` is the whole `Authorization`
    /// header value (only the `Bearer` scheme is used), `apiKeyHeader` the `X-API-Key` value.
    public init(authorization: String?, apiKeyHeader: String?, peerSubject: String? = nil, remoteAddress: String? = nil) {
        self.bearerToken = authorization.flatMap(Credentials.bearerToken(fromAuthorization:))
        let key = apiKeyHeader.map { Credentials.trimmed($0) }
        self.apiKey = (key?.isEmpty ?? true) ? nil : key
        self.peerSubject = peerSubject
        self.remoteAddress = remoteAddress
    }

    /// Whether any token-like credential (bearer token or API key) was presented.
    public var presentsToken: Bool { bearerToken != nil || apiKey != nil }

    /// The token of a `Bearer` Authorization header value (scheme compared case-insensitively,
    /// RFC 9110 §11.1); nil for other schemes, a missing token, or a token with inner whitespace.
    public static func bearerToken(fromAuthorization value: String) -> String? {
        let bytes = Array(value.utf8)
        var start = 0
        while start < bytes.count, isSpace(bytes[start]) { start += 1 }
        let scheme: [UInt8] = Array("bearer".utf8)
        guard bytes.count - start > scheme.count else { return nil }
        for (offset, expected) in scheme.enumerated() {
            let byte = bytes[start + offset]
            let lowered = (byte >= 0x41 && byte <= 0x5A) ? byte | 0x20 : byte
            guard lowered == expected else { return nil }
        }
        var tokenStart = start + scheme.count
        guard isSpace(bytes[tokenStart]) else { return nil }
        while tokenStart < bytes.count, isSpace(bytes[tokenStart]) { tokenStart += 1 }
        var tokenEnd = bytes.count
        while tokenEnd > tokenStart, isSpace(bytes[tokenEnd - 1]) { tokenEnd -= 1 }
        guard tokenEnd > tokenStart else { return nil }
        for index in tokenStart..<tokenEnd where isSpace(bytes[index]) || bytes[index] < 0x20 || bytes[index] == 0x7F {
            return nil
        }
        return String(decoding: bytes[tokenStart..<tokenEnd], as: UTF8.self)
    }

    private static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }

    private static func trimmed(_ value: String) -> String {
        let bytes = Array(value.utf8)
        var start = 0
        var end = bytes.count
        while start < end, isSpace(bytes[start]) { start += 1 }
        while end > start, isSpace(bytes[end - 1]) { end -= 1 }
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }
}
