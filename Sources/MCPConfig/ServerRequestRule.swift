/// One entry of `proxy.serverRequests`: what the upstreams whose names match ``servers`` may ask
/// the people's clients (sampling, elicitation, roots), and how often. The first entry whose
/// `servers` glob matches an upstream's name applies to it; an upstream no entry matches may ask
/// anything (the client still decides).
public struct ServerRequestRule: Sendable, Equatable {
    /// `allow` or `deny` for one kind of server-initiated request.
    public enum Decision: String, Sendable, Equatable, CaseIterable {
        /// Relayed to the client (the default).
        case allow
        /// Refused by the proxy with a JSON-RPC error; the client never sees it, and the
        /// proxy's handshake with the upstream does not declare the capability.
        case deny
    }

    /// `servers`: glob patterns on upstream names (the keys of `mcpServers`); default `["*"]`.
    public var servers: [String]
    /// `sampling`: `sampling/createMessage`; default allow.
    public var sampling: Decision
    /// `elicitation`: `elicitation/create`; default allow.
    public var elicitation: Decision
    /// `roots`: `roots/list`; default allow.
    public var roots: Decision
    /// `maxSamplingTokens`: `params.maxTokens` of a relayed `sampling/createMessage` is lowered to
    /// this when it asks for more; `nil` (default) leaves it alone. At least 1.
    public var maxSamplingTokens: Int?
    /// `rate: { rate, burst }`: server-initiated requests per second per client session (all
    /// kinds together, for the upstreams this entry matches); `nil` (default) means no limit.
    public var rate: TokenBucketSetting?

    /// Creates a rule; by default it matches every upstream and allows everything.
    public init(
        servers: [String] = ["*"], sampling: Decision = .allow, elicitation: Decision = .allow, roots: Decision = .allow,
        maxSamplingTokens: Int? = nil, rate: TokenBucketSetting? = nil
    ) {
        self.servers = servers
        self.sampling = sampling
        self.elicitation = elicitation
        self.roots = roots
        self.maxSamplingTokens = maxSamplingTokens
        self.rate = rate
    }
}
