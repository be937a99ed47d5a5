/// Where the JWT authenticator's verification keys come from.
public enum JWTKeySource: Sendable {
    /// A shared secret for HS256/384/512: the UTF-8 bytes of the string are the key.
    case secret(String)
    /// One PEM public key (RSA, P-256, P-384 or Ed25519; an X.509 certificate PEM also works for
    /// RSA and EC), with an optional `kid` it is restricted to.
    case publicKeyPEM(String, kid: String? = nil)
    /// A JWKS document's bytes (a file read by the caller).
    case jwks([UInt8])
    /// A JWKS URL, fetched through the authenticator's ``JWKSFetcher``, cached, and refreshed
    /// after its cache lifetime or on an unknown `kid` (at most once per refresh interval).
    case jwksURL(String)
}
