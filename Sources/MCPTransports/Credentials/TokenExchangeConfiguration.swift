/// How the proxy exchanges a client's token for a token of one upstream (RFC 8693): the
/// `auth.tokenExchange` section of a remote server.
public struct TokenExchangeConfiguration: Sendable, CustomStringConvertible {
    /// The authorization server's token endpoint (`https://`, or `http://` on a loopback address).
    public var tokenEndpoint: String
    /// The proxy's own client id at the authorization server.
    public var clientID: String
    /// The proxy's client secret, sent with ``clientID`` as HTTP Basic (`client_secret_basic`).
    /// Never printed.
    public var clientSecret: String
    /// The `audience` parameter: the upstream as the authorization server knows it; nil: not sent.
    public var audience: String?
    /// The `scope` parameter (space-separated scopes); nil: not sent.
    public var scope: String?
    /// How long before its `expires_in` an exchanged token is no longer used from the cache, so
    /// that it does not expire on its way to the upstream or on a clock that runs ahead.
    public var clockSkew: Duration
    /// How long one exchange may take.
    public var timeout: Duration
    /// TLS for the token endpoint (a custom CA); nil: the system trust store.
    public var tls: TLSClientSettings?

    /// The lifetime assumed for a token whose answer has no `expires_in` (RFC 6749 makes it
    /// optional): five minutes, never beyond the client's own token.
    public static let defaultLifetime: Duration = .seconds(300)

    /// Creates a configuration. Defaults: 30 s clock skew, 10 s per exchange.
    public init(
        tokenEndpoint: String, clientID: String, clientSecret: String, audience: String? = nil, scope: String? = nil,
        clockSkew: Duration = .seconds(30), timeout: Duration = .seconds(10), tls: TLSClientSettings? = nil
    ) {
        self.tokenEndpoint = tokenEndpoint
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.audience = audience
        self.scope = scope
        self.clockSkew = clockSkew
        self.timeout = timeout
        self.tls = tls
    }

    /// The settings without the secret.
    public var description: String {
        "token exchange at \(tokenEndpoint) as \(clientID)"
            + (audience.map { ", audience \($0)" } ?? "") + (scope.map { ", scope \($0)" } ?? "")
    }
}

/// What one lookup of a ``TokenExchangeClient`` came to, for counters.
public enum TokenExchangeOutcome: String, Sendable, CaseIterable {
    /// A cached token was still valid.
    case hit
    /// No valid token was cached: an exchange was made.
    case miss
    /// The exchange failed (refused, unreachable, a malformed answer, no subject token).
    case failure
}
