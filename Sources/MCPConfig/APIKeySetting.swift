/// One accepted API key (`proxy.auth.apiKeys[i]`), sent as `Authorization: Bearer KEY` or
/// `X-API-Key: KEY`. The caller becomes a principal whose subject is ``name``.
public struct APIKeySetting: Sendable, Equatable {
    /// `name`: the principal's subject; unique among the keys.
    public var name: String
    /// The key itself (`key`) or its SHA-256 (`sha256`); exactly one is given.
    public var credential: APIKeyCredential
    /// `roles`: the principal's roles. Default none.
    public var roles: [String]
    /// `scopes`: the principal's scopes (for rules with `scopes` or `requireScopes`). Default none.
    public var scopes: [String]

    /// Creates a key entry.
    public init(name: String, credential: APIKeyCredential, roles: [String] = [], scopes: [String] = []) {
        self.name = name
        self.credential = credential
        self.roles = roles
        self.scopes = scopes
    }
}

/// How an API key is configured.
public enum APIKeyCredential: Sendable, Hashable {
    /// `key`: the key as the client sends it (usually from `${ENV}`).
    case key(String)
    /// `sha256`: the SHA-256 of the key's UTF-8 bytes, 64 lowercase hex characters.
    case sha256(String)
}
