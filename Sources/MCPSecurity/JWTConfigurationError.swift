/// A JWT authenticator configuration that cannot be used; thrown at startup, never per request.
public enum JWTConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The HMAC secret is shorter than the algorithm's hash (RFC 7518 §3.2).
    case secretTooShort(algorithm: JWTAlgorithmName, minimumBytes: Int)
    /// The algorithm list mixes shared-secret (HS*) and public-key algorithms, or names
    /// algorithms the key cannot be used with.
    case algorithmsDoNotMatchKey(String)
    /// The PEM text is not a public key or certificate of a supported type.
    case unreadablePEM
    /// The JWKS document is not valid or has no usable key.
    case invalidJWKS(String)
    /// A JWKS URL was configured without a ``JWKSFetcher``.
    case missingFetcher

    /// What is wrong, for the operator.
    public var description: String {
        switch self {
        case .secretTooShort(let algorithm, let minimum):
            return "the JWT secret is too short for \(algorithm): at least \(minimum) bytes are required"
        case .algorithmsDoNotMatchKey(let detail):
            return "the JWT algorithms do not match the key: \(detail)"
        case .unreadablePEM:
            return "the PEM is not an RSA, P-256, P-384 or Ed25519 public key or certificate"
        case .invalidJWKS(let detail):
            return "the JWKS document is not usable: \(detail)"
        case .missingFetcher:
            return "a JWKS URL needs a fetcher"
        }
    }
}
