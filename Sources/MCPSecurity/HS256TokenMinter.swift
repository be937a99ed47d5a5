import Crypto
import JSONRPC
import MCPRouting

/// Signs HS256 JWTs with a shared secret: for development, tests and the `mcp-proxy token`
/// command, so a gateway configured with `proxy.auth.jwt.secret` can be tried without an
/// identity provider. Production tokens come from the identity provider.
public struct HS256TokenMinter: Sendable {
    /// The claims of one token.
    public struct Claims: Sendable {
        /// `iss`.
        public var issuer: String
        /// `sub`.
        public var subject: String
        /// `aud` (written as an array).
        public var audience: [String]
        /// The roles claim's values.
        public var roles: [String]
        /// The name of the roles claim (`roles` by default).
        public var rolesClaim: String
        /// `scope`, space-separated.
        public var scopes: [String]
        /// `iat` and `nbf`, in seconds since 1970.
        public var issuedAt: Int
        /// `exp`, in seconds since 1970.
        public var expiresAt: Int

        /// Creates claims valid from `issuedAt` for `lifetimeSeconds`.
        public init(issuer: String, subject: String, audience: [String], roles: [String] = [], rolesClaim: String = "roles",
                    scopes: [String] = [], issuedAt: Int, lifetimeSeconds: Int) {
            self.issuer = issuer
            self.subject = subject
            self.audience = audience
            self.roles = roles
            self.rolesClaim = rolesClaim
            self.scopes = scopes
            self.issuedAt = issuedAt
            self.expiresAt = issuedAt + lifetimeSeconds
        }
    }

    private let key: SymmetricKey

    /// A minter for `secret` (its UTF-8 bytes are the key, as the proxy reads it).
    public init(secret: String) {
        key = SymmetricKey(data: Array(secret.utf8))
    }

    /// The compact JWT for `claims`.
    public func mint(_ claims: Claims) -> String {
        let header = Array(#"{"alg":"HS256","typ":"JWT"}"#.utf8)
        var body: [UInt8] = [UInt8(ascii: "{")]
        func field(_ name: String, _ value: [UInt8]) {
            if body.count > 1 { body.append(UInt8(ascii: ",")) }
            body += JSONString.encode(name) + [UInt8(ascii: ":")] + value
        }
        func array(_ values: [String]) -> [UInt8] {
            [UInt8(ascii: "[")] + values.map(JSONString.encode).joined(separator: [UInt8(ascii: ",")]) + [UInt8(ascii: "]")]
        }
        field("iss", JSONString.encode(claims.issuer))
        field("sub", JSONString.encode(claims.subject))
        field("aud", array(claims.audience))
        field("iat", Array(String(claims.issuedAt).utf8))
        field("nbf", Array(String(claims.issuedAt).utf8))
        field("exp", Array(String(claims.expiresAt).utf8))
        field(claims.rolesClaim, array(claims.roles))
        if !claims.scopes.isEmpty { field("scope", JSONString.encode(claims.scopes.joined(separator: " "))) }
        body.append(UInt8(ascii: "}"))
        let signingInput = Base64URL.encode(header) + "." + Base64URL.encode(body)
        let signature = HMAC<SHA256>.authenticationCode(for: Array(signingInput.utf8), using: key)
        return signingInput + "." + Base64URL.encode(Array(signature))
    }
}
