import JWTKit
import NIOConcurrencyHelpers

/// Verifies JWT bearer tokens (HS*, RS*, PS*, ES256/384, EdDSA) with jwt-kit and turns them into
/// principals.
///
/// Every key carries an explicit list of the algorithms it may verify, and a token's `alg` must be
/// on it: `none` is never accepted, and a shared-secret algorithm is never bound to a public key,
/// so HS/RS confusion cannot pass. Checks, in order: size (before parsing), shape, `alg`, key,
/// signature, `exp`, `nbf`, `iat`, `iss`, `aud`, `sub`. Keys named in a token's own header
/// (`jwk`, `jku`, `x5u`, `x5c`) are never used, and a header with `crit` is refused.
///
/// A verified token is cached by its SHA-256 until it expires (bounded, oldest first out), so
/// ``cachedResult(for:)`` answers repeated requests synchronously. JWKS keys fetched from a URL
/// are refreshed after their cache lifetime and on an unknown `kid`, at most once per
/// ``Configuration/jwksMinimumRefreshIntervalSeconds``.
public final class JWTAuthenticator: Authenticator {
    /// The settings of a JWT authenticator.
    public struct Configuration: Sendable {
        /// Where the verification keys come from.
        public var keySource: JWTKeySource
        /// The required `iss`; nil skips the check.
        public var issuer: String?
        /// A value `aud` must contain (this proxy's resource URI); nil skips the check.
        public var audience: String?
        /// Values `aud` may contain instead of ``audience``: the absolute URIs of the proxy's
        /// virtual endpoints. Which one a request needs depends on where it arrives, so the
        /// front checks that (the gateway's endpoint audience admission); default none.
        public var alsoAcceptedAudiences: [String] = []
        /// The allowed algorithms; nil means `[HS256]` for a secret and every algorithm of the
        /// key's type for a PEM or JWKS.
        public var algorithms: [JWTAlgorithmName]?
        /// Leeway for `exp`, `nbf` and `iat`, in seconds.
        public var clockSkewSeconds: Double
        /// The claim holding roles (a string or an array; a dotted path reaches nested objects).
        public var rolesClaim: String
        /// Whether a token without `exp` is refused (recommended: it could never leave the cache).
        public var requireExpiration: Bool
        /// The largest token accepted, in bytes; larger ones are refused before parsing.
        public var maxTokenBytes: Int
        /// How many verified tokens are cached.
        public var cacheCapacity: Int
        /// How long fetched JWKS keys are used before they are fetched again, in seconds.
        public var jwksCacheLifetimeSeconds: Double
        /// The shortest time between two JWKS fetches, in seconds.
        public var jwksMinimumRefreshIntervalSeconds: Double
        /// Whether principals keep the token they were verified from (``Principal/subjectToken``),
        /// for upstreams that exchange it (RFC 8693). Default false: the token is not kept.
        public var keepsSubjectToken: Bool = false

        /// Creates a configuration; the defaults are the documented ones.
        public init(
            keySource: JWTKeySource,
            issuer: String? = nil,
            audience: String? = nil,
            algorithms: [JWTAlgorithmName]? = nil,
            clockSkewSeconds: Double = 30,
            rolesClaim: String = "roles",
            requireExpiration: Bool = true,
            maxTokenBytes: Int = 8192,
            cacheCapacity: Int = 10_000,
            jwksCacheLifetimeSeconds: Double = 300,
            jwksMinimumRefreshIntervalSeconds: Double = 30
        ) {
            self.keySource = keySource
            self.issuer = issuer
            self.audience = audience
            self.algorithms = algorithms
            self.clockSkewSeconds = clockSkewSeconds
            self.rolesClaim = rolesClaim
            self.requireExpiration = requireExpiration
            self.maxTokenBytes = maxTokenBytes
            self.cacheCapacity = cacheCapacity
            self.jwksCacheLifetimeSeconds = jwksCacheLifetimeSeconds
            self.jwksMinimumRefreshIntervalSeconds = jwksMinimumRefreshIntervalSeconds
        }
    }

    private struct CachedToken: Sendable {
        let principal: Principal
        let validUntil: Double
    }

    private struct KeyState: Sendable {
        var keys: VerificationKeySet
        var fetchedAt: UInt64?
        var lastAttempt: UInt64?
        var inFlight: Task<Void, Never>?
    }

    /// The configuration in force.
    public let configuration: Configuration
    /// The algorithms tokens may use (the configured list or its default).
    public let allowedAlgorithms: [JWTAlgorithmName]

    private let allowedNames: Set<String>
    private let policy: JWTClaims.Policy
    private let jwksURL: String?
    private let fetcher: (any JWKSFetcher)?
    private let clock: SecurityClock
    private let state: NIOLockedValueBox<KeyState>
    private let cache: NIOLockedValueBox<BoundedCache<Digest256, CachedToken>>
    private let fetchCounter = NIOLockedValueBox(0)

    /// Builds the keys (for a secret, a PEM or a JWKS document) and checks the configuration.
    /// A JWKS URL is fetched on first use, or earlier through ``refreshKeys()``.
    ///
    /// - Throws: ``JWTConfigurationError`` for a key, algorithm list or document that cannot work.
    public init(
        configuration: Configuration,
        fetcher: (any JWKSFetcher)? = nil,
        clock: SecurityClock = .system
    ) async throws(JWTConfigurationError) {
        self.configuration = configuration
        self.fetcher = fetcher
        self.clock = clock
        var policy = JWTClaims.Policy(
            issuer: configuration.issuer,
            audience: configuration.audience,
            clockSkewSeconds: configuration.clockSkewSeconds,
            rolesClaim: configuration.rolesClaim,
            requireExpiration: configuration.requireExpiration
        )
        policy.alsoAcceptedAudiences = configuration.alsoAcceptedAudiences
        self.policy = policy
        let explicit = configuration.algorithms
        if let explicit, explicit.isEmpty { throw .algorithmsDoNotMatchKey("the algorithm list is empty") }
        if let explicit, explicit.contains(where: { $0.keyFamily == .hmac }), explicit.contains(where: { $0.keyFamily != .hmac }) {
            throw .algorithmsDoNotMatchKey("shared-secret (HS*) and public-key algorithms cannot be mixed")
        }
        let keys: VerificationKeySet
        let algorithms: [JWTAlgorithmName]
        switch configuration.keySource {
        case .secret(let secret):
            algorithms = explicit ?? [.hs256]
            keys = try await VerificationKeyLoader.fromSecret(secret, algorithms: algorithms)
            jwksURL = nil
        case .publicKeyPEM(let pem, let kid):
            let family = try VerificationKeyLoader.family(ofPEM: pem)
            algorithms = explicit ?? JWTAlgorithmName.algorithms(for: family)
            keys = try await VerificationKeyLoader.fromPEM(pem, kid: kid, algorithms: algorithms)
            jwksURL = nil
        case .jwks(let document):
            algorithms = explicit ?? JWTAlgorithmName.allCases.filter { $0.keyFamily != .hmac }
            if algorithms.contains(where: { $0.keyFamily == .hmac }) {
                throw .algorithmsDoNotMatchKey("a JWKS is only used with public-key algorithms")
            }
            keys = try await VerificationKeyLoader.fromJWKS(document, algorithms: algorithms)
            jwksURL = nil
        case .jwksURL(let url):
            algorithms = explicit ?? JWTAlgorithmName.allCases.filter { $0.keyFamily != .hmac }
            if algorithms.contains(where: { $0.keyFamily == .hmac }) {
                throw .algorithmsDoNotMatchKey("a JWKS is only used with public-key algorithms")
            }
            guard fetcher != nil else { throw .missingFetcher }
            keys = VerificationKeySet()
            jwksURL = url
        }
        self.allowedAlgorithms = algorithms
        self.allowedNames = Set(algorithms.map(\.rawValue))
        self.state = NIOLockedValueBox(KeyState(keys: keys))
        self.cache = NIOLockedValueBox(BoundedCache(capacity: configuration.cacheCapacity))
    }

    // MARK: - Authenticator

    /// `.notPresented` without a JWT-shaped bearer token, `.failed(.tooLarge)` for an oversized
    /// one, the cached principal for a token verified before and not yet expired, else nil.
    public func cachedResult(for credentials: Credentials) -> AuthenticationResult? {
        guard let token = credentials.bearerToken else { return .notPresented }
        if token.utf8.count > configuration.maxTokenBytes { return .failed(AuthenticationFailure(.tooLarge)) }
        guard JWTToken.looksLikeJWT(token) else { return .notPresented }
        let digest = Digest256(hashing: token)
        let now = clock.wallSeconds()
        let hit: Principal? = cache.withLockedValue { cache in
            guard let entry = cache[digest] else { return nil }
            if now > entry.validUntil {
                cache.remove(digest)
                return nil
            }
            return entry.principal
        }
        return hit.map { .authenticated($0) }
    }

    /// Verifies the token fully (fetching keys when needed) and caches the result.
    public func authenticate(_ credentials: Credentials) async -> AuthenticationResult {
        if let cached = cachedResult(for: credentials) { return cached }
        guard let token = credentials.bearerToken else { return .notPresented }
        do {
            let principal = try await verify(token)
            return .authenticated(principal)
        } catch {
            return .failed(error)
        }
    }

    /// Verifies `token` and returns its principal, or throws why it was refused.
    public func verify(_ token: String) async throws(AuthenticationFailure) -> Principal {
        guard token.utf8.count <= configuration.maxTokenBytes else { throw AuthenticationFailure(.tooLarge) }
        let parsed = try JWTToken(token)
        guard allowedNames.contains(parsed.algorithm) else { throw AuthenticationFailure(.disallowedAlgorithm) }

        if jwksURL != nil { await refreshIfStale() }
        var lookup = state.withLockedValue { $0.keys.lookup(kid: parsed.kid, alg: parsed.algorithm) }
        if case .unknownKid = lookup, jwksURL != nil {
            await refresh()
            lookup = state.withLockedValue { $0.keys.lookup(kid: parsed.kid, alg: parsed.algorithm) }
        }
        let candidates: [any JWTAlgorithm]
        switch lookup {
        case .found(let found): candidates = found
        case .unknownKid:
            let empty = state.withLockedValue { $0.keys.isEmpty }
            throw AuthenticationFailure(empty ? .keysUnavailable : .unknownKey)
        case .algorithmNotAllowed: throw AuthenticationFailure(.disallowedAlgorithm)
        }

        var verified = false
        for algorithm in candidates {
            if (try? algorithm.verify(parsed.signature, signs: parsed.signingInput)) == true {
                verified = true
                break
            }
        }
        guard verified else { throw AuthenticationFailure(.badSignature) }

        let now = clock.wallSeconds()
        let claims = try JWTClaims(payload: parsed.payload, policy: policy, now: now)
        let principal = Principal(
            subject: claims.subject,
            issuer: claims.issuer,
            roles: claims.roles,
            scopes: claims.scopes,
            method: .jwt,
            claims: claims.stringClaims,
            expiresAt: claims.expiresAt,
            subjectToken: configuration.keepsSubjectToken ? SubjectToken(token) : nil
        )
        let validUntil = claims.expiresAt.map { $0 + configuration.clockSkewSeconds } ?? .infinity
        let digest = Digest256(hashing: parsed.bytes)
        cache.withLockedValue { cache in
            cache.insert(CachedToken(principal: principal, validUntil: validUntil), for: digest)
            // Expired entries also leave on lookup; sweep them when the cache fills up.
            if cache.count == cache.capacity { cache.removeAll { _, entry in now > entry.validUntil } }
        }
        return principal
    }

    // MARK: - Keys

    /// How many JWKS fetches were started (for tests and metrics).
    public var jwksFetchCount: Int { fetchCounter.withLockedValue { $0 } }

    /// How many verified tokens are cached.
    public var cachedTokenCount: Int { cache.withLockedValue { $0.count } }

    /// Fetches the JWKS now unless a fetch ran within the minimum refresh interval.
    public func refreshKeys() async {
        await refresh()
    }

    private func refreshIfStale() async {
        let lifetime = UInt64(max(0, configuration.jwksCacheLifetimeSeconds) * 1_000_000_000)
        let now = clock.monotonicNanoseconds()
        let stale = state.withLockedValue { state in
            guard let fetchedAt = state.fetchedAt else { return true }
            return now &- fetchedAt >= lifetime
        }
        if stale { await refresh() }
    }

    /// Starts (or joins) a fetch unless one was attempted within the minimum interval.
    private func refresh() async {
        guard let url = jwksURL, let fetcher else { return }
        let interval = UInt64(max(0, configuration.jwksMinimumRefreshIntervalSeconds) * 1_000_000_000)
        let now = clock.monotonicNanoseconds()
        let algorithms = allowedAlgorithms
        let task: Task<Void, Never>? = state.withLockedValue { state in
            if let running = state.inFlight { return running }
            if let last = state.lastAttempt, now &- last < interval { return nil }
            state.lastAttempt = now
            let started = Task { [state = self.state, counter = self.fetchCounter, clock = self.clock] in
                counter.withLockedValue { $0 += 1 }
                var loaded: VerificationKeySet?
                if let bytes = try? await fetcher.fetchJWKS(from: url) {
                    loaded = try? await VerificationKeyLoader.fromJWKS(bytes, algorithms: algorithms)
                }
                let finished = clock.monotonicNanoseconds()
                state.withLockedValue { state in
                    if let loaded {
                        state.keys = loaded
                        state.fetchedAt = finished
                    }
                    state.inFlight = nil
                }
            }
            state.inFlight = started
            return started
        }
        await task?.value
    }
}
