/// A JWS algorithm accepted for bearer tokens (`proxy.auth.jwt.algorithms`). `none` is never
/// accepted.
public enum JWTAlgorithm: String, Sendable, Equatable, CaseIterable {
    case hs256 = "HS256", hs384 = "HS384", hs512 = "HS512"
    case rs256 = "RS256", rs384 = "RS384", rs512 = "RS512"
    case ps256 = "PS256", ps384 = "PS384", ps512 = "PS512"
    case es256 = "ES256", es384 = "ES384"
    case eddsa = "EdDSA"

    /// The kind of key an algorithm verifies with. Algorithms of different kinds can never be
    /// verified with the same key.
    public enum KeyType: String, Sendable, Equatable {
        /// A shared secret (HS*).
        case hmac = "a shared secret"
        /// An RSA key (RS*, PS*).
        case rsa = "an RSA key"
        /// An EC key on P-256 (ES256).
        case p256 = "a P-256 EC key"
        /// An EC key on P-384 (ES384).
        case p384 = "a P-384 EC key"
        /// An Ed25519 key (EdDSA).
        case ed25519 = "an Ed25519 key"
    }

    /// The kind of key this algorithm needs.
    public var keyType: KeyType {
        switch self {
        case .hs256, .hs384, .hs512: return .hmac
        case .rs256, .rs384, .rs512, .ps256, .ps384, .ps512: return .rsa
        case .es256: return .p256
        case .es384: return .p384
        case .eddsa: return .ed25519
        }
    }

    /// Whether this is an HMAC algorithm (a shared secret rather than a public key).
    public var isHMAC: Bool { keyType == .hmac }

    /// For HMAC: the shortest secret RFC 7518 §3.2 allows, the size of the hash in bytes; 0 otherwise.
    public var minimumSecretBytes: Int {
        switch self {
        case .hs256: return 32
        case .hs384: return 48
        case .hs512: return 64
        default: return 0
        }
    }
}
