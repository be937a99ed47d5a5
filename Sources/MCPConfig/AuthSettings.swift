/// How callers prove who they are (`proxy.auth`): the credentials the proxy accepts, the OAuth
/// protected-resource metadata it advertises, and the limit applied before authentication.
///
/// The loader has checked every value: `resource` is present and absolute when `jwt` or
/// `apiKeys` is, the JWT key and algorithms agree, API key names are unique. Turning these values
/// into authenticators is the job of the security module.
public struct AuthSettings: Sendable, Equatable {
    /// `proxy.auth.resource`: this proxy's canonical URI (RFC 8707, RFC 9728); a token's `aud`
    /// must contain it unless `jwt.audience` says otherwise. Required when `jwt` or `apiKeys` is
    /// present; `nil` otherwise.
    public var resource: String?
    /// `proxy.auth.authorizationServers`: issuers advertised in the protected-resource metadata.
    /// Default none.
    public var authorizationServers: [String] = []
    /// `proxy.auth.scopesSupported`: scopes advertised in the metadata document only (a scope is
    /// required through ``AuthorizationRule/requireScopes``). Default none.
    public var scopesSupported: [String] = []
    /// `proxy.auth.required`: whether network callers must authenticate. Default `true` when any
    /// authenticator (`jwt`, `apiKeys`, `mtls`) is configured, else `false`. `false` with
    /// authenticators lets callers without credentials in as anonymous principals (development).
    public var required: Bool = false
    /// `proxy.auth.jwt`: bearer JWT verification; `nil` when not configured.
    public var jwt: JWTSettings?
    /// `proxy.auth.apiKeys`: accepted API keys, in file order. Default none.
    public var apiKeys: [APIKeySetting] = []
    /// `proxy.auth.mtls`: principals from verified TLS client certificates; `nil` when not
    /// configured. Only accepted when `proxy.listen.tls.ca` asks clients for certificates.
    public var mtls: MTLSSettings?
    /// `proxy.auth.stdioPrincipal`: the principal of the stdio front's local user; `nil` when not
    /// configured (the stdio front then decides its own default).
    public var stdioPrincipal: StdioPrincipalSetting?
    /// `proxy.auth.preAuthLimit`: a token bucket per remote address for requests and failed
    /// authentications before a caller is authenticated. Default ``TokenBucketSetting/preAuthDefault``
    /// (20 per second, burst 100); `nil` when turned off with `preAuthLimit: false`.
    public var preAuthLimit: TokenBucketSetting? = .preAuthDefault

    /// Settings with nothing configured: no authenticators, not required, the default pre-auth limit.
    public init() {}

    /// Whether any authenticator (`jwt`, `apiKeys` or `mtls`) is configured.
    public var hasAuthenticators: Bool {
        jwt != nil || !apiKeys.isEmpty || mtls != nil
    }
}
