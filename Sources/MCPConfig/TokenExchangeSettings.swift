/// `mcpServers.<name>.auth.tokenExchange`: the proxy exchanges the client's verified bearer token
/// for a token of this upstream (RFC 8693) and sends that as `Authorization: Bearer`; the
/// client's own token never goes upstream.
public struct TokenExchangeSettings: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    /// `tokenEndpoint`: the authorization server's token endpoint; `https://`, or `http://` only
    /// on a loopback address.
    public var tokenEndpoint: String
    /// `clientId`: the proxy's client id at the authorization server.
    public var clientId: String
    /// `clientSecret`: the proxy's client secret, sent with ``clientId`` as HTTP Basic
    /// (`client_secret_basic`). Write it as `${ENV_VAR}`; it is never printed.
    public var clientSecret: String
    /// `audience`: the upstream as the authorization server names it; `nil`: not sent.
    public var audience: String?
    /// `scope`: the scopes asked for the upstream's token (space-separated); `nil`: not sent.
    public var scope: String?

    /// Creates settings.
    public init(tokenEndpoint: String, clientId: String, clientSecret: String, audience: String? = nil, scope: String? = nil) {
        self.tokenEndpoint = tokenEndpoint
        self.clientId = clientId
        self.clientSecret = clientSecret
        self.audience = audience
        self.scope = scope
    }

    /// The settings without the secret.
    public var description: String {
        "tokenExchange(\(tokenEndpoint), clientId \(clientId), clientSecret <redacted>"
            + (audience.map { ", audience \($0)" } ?? "") + (scope.map { ", scope \($0)" } ?? "") + ")"
    }

    /// The same as ``description``: the secret is never printed.
    public var debugDescription: String { description }
}
