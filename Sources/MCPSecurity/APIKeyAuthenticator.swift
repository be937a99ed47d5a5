/// Authenticates configured API keys, sent as `X-API-Key: KEY` or `Authorization: Bearer KEY`.
///
/// Keys are stored only as SHA-256 digests; a presented key is hashed and compared with every
/// configured digest in constant time (all of them, whatever matches), so neither the position
/// nor the prefix of a key leaks through timing. A bearer token shaped like a JWT is left to the
/// JWT authenticator (`.notPresented` here).
public struct APIKeyAuthenticator: Authenticator {
    /// One configured key and the principal it names.
    public struct Key: Sendable {
        /// The key as configured: the plain secret or the SHA-256 of it in hex.
        public enum Secret: Sendable {
            /// The key itself (for example from `${ENV}`).
            case plain(String)
            /// The lowercase or uppercase hex SHA-256 of the key's UTF-8 bytes.
            case sha256Hex(String)
        }

        /// The principal's subject.
        public var name: String
        /// The key.
        public var secret: Secret
        /// The principal's roles.
        public var roles: [String]
        /// The principal's scopes.
        public var scopes: [String]

        /// Creates a key entry.
        public init(name: String, secret: Secret, roles: [String] = [], scopes: [String] = []) {
            self.name = name
            self.secret = secret
            self.roles = roles
            self.scopes = scopes
        }
    }

    /// A configuration problem found at startup.
    public enum ConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
        /// A `sha256` value is not 64 hex digits.
        case invalidDigest(name: String)
        /// A plain key is empty.
        case emptyKey(name: String)
        /// Two entries have the same key.
        case duplicateKey(name: String)

        /// What is wrong.
        public var description: String {
            switch self {
            case .invalidDigest(let name): return "API key \(name): sha256 must be 64 hex digits"
            case .emptyKey(let name): return "API key \(name): the key is empty"
            case .duplicateKey(let name): return "API key \(name): the same key is configured twice"
            }
        }
    }

    private let digests: [Digest256]
    private let principals: [Principal]

    /// Prepares the digests and one principal per key.
    ///
    /// - Throws: ``ConfigurationError`` for a malformed digest, an empty key or a duplicate.
    public init(keys: [Key]) throws(ConfigurationError) {
        var digests: [Digest256] = []
        var principals: [Principal] = []
        for key in keys {
            let digest: Digest256
            switch key.secret {
            case .plain(let secret):
                guard !secret.isEmpty else { throw .emptyKey(name: key.name) }
                digest = Digest256(hashing: secret)
            case .sha256Hex(let hex):
                guard let parsed = Digest256(hex: hex) else { throw .invalidDigest(name: key.name) }
                digest = parsed
            }
            if digests.contains(digest) { throw .duplicateKey(name: key.name) }
            digests.append(digest)
            principals.append(Principal(subject: key.name, roles: key.roles, scopes: key.scopes, method: .apiKey))
        }
        self.digests = digests
        self.principals = principals
    }

    /// Always answers synchronously: hashing and comparing is cheap.
    public func cachedResult(for credentials: Credentials) -> AuthenticationResult? {
        let presented: String
        if let key = credentials.apiKey {
            presented = key
        } else if let token = credentials.bearerToken, !JWTToken.looksLikeJWT(token) {
            presented = token
        } else {
            return .notPresented
        }
        if let index = match(presented) { return .authenticated(principals[index]) }
        return .failed(AuthenticationFailure(.unknownAPIKey))
    }

    /// Same as ``cachedResult(for:)``.
    public func authenticate(_ credentials: Credentials) async -> AuthenticationResult {
        cachedResult(for: credentials) ?? .notPresented
    }

    /// The index of the configured key equal to `presented`, comparing every digest in constant time.
    func match(_ presented: String) -> Int? {
        let digest = Digest256(hashing: presented)
        var found = -1
        for index in digests.indices {
            let equal = digest.constantTimeEquals(digests[index])
            // Branch-free select: keeps the last match without an early exit.
            let mask = equal ? -1 : 0
            found = (index & mask) | (found & ~mask)
        }
        return found >= 0 ? found : nil
    }
}
