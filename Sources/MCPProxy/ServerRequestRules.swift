import JSONRPC
import MCPRouting
import MCPSecurity

/// A kind of request an upstream sends a client.
public enum ServerRequestKind: String, Sendable, Hashable, CaseIterable {
    /// `sampling/createMessage`: the upstream asks the client's model.
    case sampling
    /// `elicitation/create`: the upstream asks the user.
    case elicitation
    /// `roots/list`: the upstream asks which directories the client exposes.
    case roots

    /// The kind of a server-to-client request method; nil for others (`ping`, anything else).
    public init?(method: MCPMethod) {
        switch method {
        case .samplingCreateMessage: self = .sampling
        case .elicitationCreate: self = .elicitation
        case .rootsList: self = .roots
        default: return nil
        }
    }

    /// The client capability that announces it in `initialize` (`sampling`, `elicitation`, `roots`).
    public var capability: String { rawValue }

    /// The method, for messages.
    var methodName: String {
        switch self {
        case .sampling: return "sampling/createMessage"
        case .elicitation: return "elicitation/create"
        case .roots: return "roots/list"
        }
    }

    /// "Sampling", "Elicitation", "Roots" (the start of a refusal message).
    var title: String {
        switch self {
        case .sampling: return "Sampling"
        case .elicitation: return "Elicitation"
        case .roots: return "Roots"
        }
    }
}

/// `proxy.serverRequests`: what upstreams may ask the people's clients (sampling, elicitation,
/// roots), how many tokens a sampling request may ask for, and how often they may ask. Rules are
/// ordered; the first whose ``Rule/servers`` glob matches an upstream's name applies to it (the
/// match is resolved once per upstream when the proxy is built). An upstream no rule matches is
/// not governed: everything it asks goes to the client, as without rules.
public struct ServerRequestRules: Sendable {
    /// One rule.
    public struct Rule: Sendable {
        /// Globs on upstream names; the rule applies to an upstream any of them matches.
        public var servers: [GlobPattern]
        /// Kinds refused with a JSON-RPC error (never relayed) and left out of the proxy's
        /// `initialize` to these upstreams.
        public var denied: Set<ServerRequestKind>
        /// The most `maxTokens` a relayed `sampling/createMessage` may ask for; a larger value is
        /// lowered to this. Nil: left alone.
        public var maxSamplingTokens: Int?
        /// Server-initiated requests per second per client session (all kinds together, across
        /// the upstreams this rule matches). Nil: no limit.
        public var rate: TokenBucketLimit?

        /// Creates a rule.
        public init(servers: [GlobPattern], denied: Set<ServerRequestKind> = [], maxSamplingTokens: Int? = nil, rate: TokenBucketLimit? = nil) {
            self.servers = servers
            self.denied = denied
            self.maxSamplingTokens = maxSamplingTokens.map { Swift.max($0, 1) }
            self.rate = rate
        }

        /// Whether the rule applies to the upstream named `upstream`.
        public func matches(_ upstream: String) -> Bool {
            servers.contains { $0.matches(upstream) }
        }
    }

    /// The rules, first match wins.
    public var rules: [Rule]

    /// Rules in order; none (the default) governs nothing.
    public init(_ rules: [Rule] = []) {
        self.rules = rules
    }

    /// Whether there are no rules (then nothing changes on any path).
    public var isEmpty: Bool { rules.isEmpty }

    /// The index of the rule that applies to `upstream`: the first that matches it.
    public func ruleIndex(for upstream: String) -> Int? {
        rules.firstIndex { $0.matches(upstream) }
    }
}
