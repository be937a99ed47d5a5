/// Bearer JWT verification (`proxy.auth.jwt`): whom tokens must come from, whom they must be
/// for, and the one key source and algorithm allowlist that verify them.
public struct JWTSettings: Sendable, Equatable {
    /// `issuer`: the `iss` every token must carry. Required.
    public var issuer: String
    /// `audience`: a value the token's `aud` must contain. Default: `proxy.auth.resource`.
    public var audience: String
    /// Where the verification keys come from: exactly one of `secret`, `jwks`, `publicKey`.
    public var key: JWTKeySource
    /// `algorithms`: the allowlist. Default `[.hs256]` with a secret; otherwise empty, meaning
    /// "the algorithms of the keys" (each JWK's `alg`, or the algorithms its key type allows).
    /// Never mixes HMAC with public-key algorithms.
    public var algorithms: [JWTAlgorithm]
    /// `clockSkewSeconds`: leeway for `exp`, `nbf` and `iat`. Default 30.
    public var clockSkewSeconds: Double
    /// `rolesClaim`: the claim (a string or an array of strings) that holds the principal's
    /// roles. Default `"roles"`.
    public var rolesClaim: String
    /// `jwksCacheSeconds`: how long a fetched JWKS is kept before it is fetched again (it is
    /// also refetched on an unknown `kid`). Default 300.
    public var jwksCacheSeconds: Double

    /// Creates settings; the defaults are the documented ones.
    public init(issuer: String, audience: String, key: JWTKeySource, algorithms: [JWTAlgorithm] = [],
                clockSkewSeconds: Double = 30, rolesClaim: String = "roles", jwksCacheSeconds: Double = 300) {
        self.issuer = issuer
        self.audience = audience
        self.key = key
        self.algorithms = algorithms
        self.clockSkewSeconds = clockSkewSeconds
        self.rolesClaim = rolesClaim
        self.jwksCacheSeconds = jwksCacheSeconds
    }
}

/// Where JWT verification keys come from.
public enum JWTKeySource: Sendable, Equatable {
    /// `secret`: a shared HMAC secret; its UTF-8 bytes are the key.
    case secret(String)
    /// `jwks` written as a URL: a JWKS document fetched over HTTPS (or HTTP to a loopback host).
    case jwksURL(String)
    /// `jwks` written as a path: a JWKS document read from a file.
    case jwksFile(String)
    /// `publicKey` written as a path: one PEM public key read from a file.
    case publicKeyFile(String)
    /// `publicKey` written inline (text starting with `-----BEGIN`, e.g. from `${ENV}`): one PEM public key.
    case publicKeyPEM(String)
}
