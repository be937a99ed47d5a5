/// Who is calling: the identity an authenticator established for a session or a request.
///
/// A principal is immutable and shared by reference, so carrying it through the request pipeline
/// costs one retain. Transports bind a session to its principal's ``identityKey``; the security
/// module's authorizers and rate limiters read ``roles``, ``scopes`` and ``subject``.
public final class Principal: Sendable, Hashable, CustomStringConvertible {
    /// How the principal was authenticated.
    public enum Method: String, Sendable, Hashable {
        /// A JWT bearer token whose signature and claims were verified.
        case jwt
        /// A configured API key.
        case apiKey
        /// A verified TLS client certificate.
        case mutualTLS
        /// The local user of a stdio front (configured, not proven).
        case stdio
        /// Nobody: authentication is not required and none was presented.
        case anonymous
        /// A user-supplied authenticator.
        case custom
    }

    /// The subject (`sub` of a token, an API key's name, a certificate's subject).
    public let subject: String
    /// The issuer (`iss` of a token); nil for API keys, certificates and local principals.
    public let issuer: String?
    /// Roles, sorted and without duplicates.
    public let roles: [String]
    /// OAuth scopes, sorted and without duplicates.
    public let scopes: [String]
    /// How the principal was authenticated.
    public let method: Method
    /// String-valued claims kept for templates and logs (never the token itself).
    public let claims: [String: String]
    /// When the credential stops being valid, in seconds since 1970; nil when it does not expire.
    public let expiresAt: Double?
    /// `issuer` and `subject` joined: the key that sessions are bound to and buckets are kept by.
    public let identityKey: String

    /// Creates a principal; roles and scopes are sorted and de-duplicated.
    public init(
        subject: String,
        issuer: String? = nil,
        roles: [String] = [],
        scopes: [String] = [],
        method: Method,
        claims: [String: String] = [:],
        expiresAt: Double? = nil
    ) {
        self.subject = subject
        self.issuer = issuer
        self.roles = Array(Set(roles)).sorted()
        self.scopes = Array(Set(scopes)).sorted()
        self.method = method
        self.claims = claims
        self.expiresAt = expiresAt
        self.identityKey = (issuer ?? method.rawValue) + "\u{1F}" + subject
    }

    /// An unauthenticated caller, for fronts where authentication is not required.
    public static let anonymous = Principal(subject: "anonymous", method: .anonymous)

    /// Whether the principal has `role`.
    public func hasRole(_ role: String) -> Bool { roles.contains(role) }
    /// Whether the principal has `scope`.
    public func hasScope(_ scope: String) -> Bool { scopes.contains(scope) }

    /// Two principals are the same identity when issuer, subject and method agree.
    public static func == (lhs: Principal, rhs: Principal) -> Bool {
        lhs === rhs || (lhs.identityKey == rhs.identityKey && lhs.roles == rhs.roles && lhs.scopes == rhs.scopes)
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(identityKey) }

    public var description: String {
        "\(subject) (\(method.rawValue)\(issuer.map { ", issuer \($0)" } ?? ""))"
    }
}
