import NIOConcurrencyHelpers

/// Turns the subject of a verified TLS client certificate into a principal.
///
/// The TLS layer has already verified the chain against the configured client CA; this only maps
/// the subject to roles: from ``rolesBySubject`` when listed, else ``defaultRoles``. With
/// ``onlyListedSubjects`` a subject that is not listed is refused (`unknownPeer`).
public final class MutualTLSAuthenticator: Authenticator {
    /// Roles per certificate subject (as the transport renders it, e.g. `CN=ci,O=Example`).
    public let rolesBySubject: [String: [String]]
    /// Roles of subjects not in ``rolesBySubject``.
    public let defaultRoles: [String]
    /// Whether subjects not in ``rolesBySubject`` are refused.
    public let onlyListedSubjects: Bool

    private let principals: NIOLockedValueBox<BoundedCache<String, Principal>>

    /// Creates the authenticator.
    public init(rolesBySubject: [String: [String]] = [:], defaultRoles: [String] = [], onlyListedSubjects: Bool = false, cacheCapacity: Int = 1024) {
        self.rolesBySubject = rolesBySubject
        self.defaultRoles = defaultRoles
        self.onlyListedSubjects = onlyListedSubjects
        self.principals = NIOLockedValueBox(BoundedCache(capacity: cacheCapacity))
    }

    /// Always answers synchronously; principals are reused per subject.
    public func cachedResult(for credentials: Credentials) -> AuthenticationResult? {
        guard let subject = credentials.peerSubject, !subject.isEmpty else { return .notPresented }
        let listed = rolesBySubject[subject]
        if listed == nil, onlyListedSubjects { return .failed(AuthenticationFailure(.unknownPeer)) }
        let principal = principals.withLockedValue { cache -> Principal in
            if let known = cache[subject] { return known }
            let made = Principal(subject: subject, roles: listed ?? defaultRoles, method: .mutualTLS)
            cache.insert(made, for: subject)
            return made
        }
        return .authenticated(principal)
    }

    /// Same as ``cachedResult(for:)``.
    public func authenticate(_ credentials: Credentials) async -> AuthenticationResult {
        cachedResult(for: credentials) ?? .notPresented
    }
}
