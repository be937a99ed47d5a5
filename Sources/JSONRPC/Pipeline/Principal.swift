import Synchronization

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
    /// The verified bearer token, kept only when an upstream exchanges it for a token of its own
    /// (RFC 8693); nil otherwise. Redacted when printed; never forwarded upstream.
    public let subjectToken: SubjectToken?
    /// `issuer` and `subject` joined: the key that sessions are bound to and buckets are kept by.
    public let identityKey: String
    /// Values owners memoized for this principal (``memoized(_:isValid:compute:)``).
    let memo = Mutex<[(key: PrincipalMemoKey, index: Int, object: (any AnyObject & Sendable)?)]>([])
    /// `identityKey`'s hash, computed once (hashes are seeded per process), so that tables keyed
    /// by principal hash one integer per lookup instead of the whole key.
    public let identityHash: Int

    /// Creates a principal; roles and scopes are sorted and de-duplicated.
    public init(
        subject: String,
        issuer: String? = nil,
        roles: [String] = [],
        scopes: [String] = [],
        method: Method,
        claims: [String: String] = [:],
        expiresAt: Double? = nil,
        subjectToken: SubjectToken? = nil
    ) {
        self.subject = subject
        self.issuer = issuer
        self.roles = Array(Set(roles)).sorted()
        self.scopes = Array(Set(scopes)).sorted()
        self.method = method
        self.claims = claims
        self.expiresAt = expiresAt
        self.subjectToken = subjectToken
        self.identityKey = (issuer ?? method.rawValue) + "\u{1F}" + subject
        self.identityHash = identityKey.hashValue
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

    public func hash(into hasher: inout Hasher) { hasher.combine(identityHash) }

    public var description: String {
        "\(subject) (\(method.rawValue)\(issuer.map { ", issuer \($0)" } ?? ""))"
    }
}

/// Identifies one owner of memoized per-principal values (an authorizer, a rate limiter), unique
/// for the process's lifetime so a memo can never be mistaken for another owner's.
public struct PrincipalMemoKey: Sendable, Hashable {
    private static let counter = Atomic<UInt64>(1)
    let raw: UInt64

    /// A new key, different from every other key made in this process.
    public init() {
        raw = Self.counter.wrappingAdd(1, ordering: .relaxed).oldValue
    }
}

extension Principal {
    /// A number an owner computed for this principal (the index of the rule that applies to it),
    /// kept on the principal itself so that later requests of the same session find it without
    /// hashing anything. `compute` runs under the memo's lock, once per owner.
    public func memoizedIndex(_ key: PrincipalMemoKey, compute: () -> Int) -> Int {
        memo.withLock { slots in
            for slot in slots where slot.key == key { return slot.index }
            let fresh = compute()
            slots.append((key, fresh, nil))
            return fresh
        }
    }

    /// An object an owner keeps for this principal (its rate-limit buckets), found again without
    /// hashing. `compute` runs under the memo's lock when there is none yet, or when `isValid`
    /// rejects the kept one. Each key must always be used with the same `Value` type.
    public func memoizedObject<Value: AnyObject & Sendable>(
        _ key: PrincipalMemoKey, isValid: (Value) -> Bool, compute: () -> Value
    ) -> Value {
        memo.withLock { slots in
            for index in slots.indices where slots[index].key == key {
                if let kept = slots[index].object {
                    let value = unsafeDowncast(kept, to: Value.self)
                    if isValid(value) { return value }
                }
                let fresh = compute()
                slots[index].object = fresh
                return fresh
            }
            let fresh = compute()
            slots.append((key, 0, fresh))
            return fresh
        }
    }
}
