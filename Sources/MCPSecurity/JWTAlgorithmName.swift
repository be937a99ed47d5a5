/// The JWS algorithms the JWT authenticator can accept. `none` is deliberately not one of them.
public enum JWTAlgorithmName: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// HMAC with SHA-256 (shared secret).
    case hs256 = "HS256"
    /// HMAC with SHA-384 (shared secret).
    case hs384 = "HS384"
    /// HMAC with SHA-512 (shared secret).
    case hs512 = "HS512"
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    case rs256 = "RS256"
    /// RSASSA-PKCS1-v1_5 with SHA-384.
    case rs384 = "RS384"
    /// RSASSA-PKCS1-v1_5 with SHA-512.
    case rs512 = "RS512"
    /// RSASSA-PSS with SHA-256.
    case ps256 = "PS256"
    /// RSASSA-PSS with SHA-384.
    case ps384 = "PS384"
    /// RSASSA-PSS with SHA-512.
    case ps512 = "PS512"
    /// ECDSA on P-256 with SHA-256.
    case es256 = "ES256"
    /// ECDSA on P-384 with SHA-384.
    case es384 = "ES384"
    /// Ed25519.
    case edDSA = "EdDSA"

    /// The kind of key an algorithm needs.
    public enum KeyFamily: Sendable, Hashable {
        /// A shared secret (HS*).
        case hmac
        /// An RSA public key (RS*, PS*).
        case rsa
        /// A P-256 public key (ES256).
        case p256
        /// A P-384 public key (ES384).
        case p384
        /// An Ed25519 public key (EdDSA).
        case ed25519
    }

    /// The kind of key this algorithm needs.
    public var keyFamily: KeyFamily {
        switch self {
        case .hs256, .hs384, .hs512: return .hmac
        case .rs256, .rs384, .rs512, .ps256, .ps384, .ps512: return .rsa
        case .es256: return .p256
        case .es384: return .p384
        case .edDSA: return .ed25519
        }
    }

    /// The minimum HMAC secret length in bytes (the hash size, RFC 7518 §3.2); 0 for others.
    public var minimumSecretBytes: Int {
        switch self {
        case .hs256: return 32
        case .hs384: return 48
        case .hs512: return 64
        default: return 0
        }
    }

    /// The algorithms that use keys of `family`.
    public static func algorithms(for family: KeyFamily) -> [JWTAlgorithmName] {
        allCases.filter { $0.keyFamily == family }
    }

    /// The JWS name, e.g. `RS256`.
    public var description: String { rawValue }
}
