import JSONRPC
import MCPSecurity
import NIOCore

/// The stages the security issue adds (authorization, then rate limits that see the upstream),
/// run on their own around a terminal that only says "forwarded": what the chain itself costs
/// per request, without the proxy around it.
public struct SecurityChain: @unchecked Sendable {
    // @unchecked: the fixture is used by one benchmark thread at a time.

    /// A context like the proxy's: a principal and the routed upstream.
    public struct Context: PrincipalContext, RoutedContext {
        public var principal: Principal
        public var upstreamName: String?
    }

    let chain: MiddlewarePair<AuthorizationMiddleware<Context>, RoutedRateLimitMiddleware<Context>>
    let empty = PassThroughMiddleware<Context>()
    let principal = Principal(subject: "rita", issuer: "https://idp.test", roles: ["reader"], scopes: ["mcp.tools"], method: .jwt)
    let call: MCPCall

    /// Rules like the example (a reader rule with a tool allowlist, an admin rule) and the
    /// three kinds of rate limit with limits high enough never to refuse.
    public init() throws {
        let authorizer = try RuleAuthorizer(rules: [
            AuthorizationRule(roles: ["reader"], tools: .init(allow: ["alpha__echo", SampleMessages.exposedTool, "alpha__add"])),
            AuthorizationRule(scopes: ["admin"], methods: .init(allow: ["*"])),
        ], default: .deny)
        let limiter = try TokenBucketRateLimiter(entries: [
            RateLimitEntry(per: .principal, rate: 1e12, burst: 1_000_000_000),
            RateLimitEntry(per: .principalAndTool, rate: 1e12, burst: 1_000_000_000, tools: ["*__search*"]),
            RateLimitEntry(per: .upstream, rate: 1e12, burst: 1_000_000_000),
        ])
        chain = MiddlewarePair(AuthorizationMiddleware(authorizer: authorizer), RoutedRateLimitMiddleware(limiter: limiter))
        let message = try JSONRPCScanner().scanMessage(SampleMessages.small)
        call = MCPCall(message: message, method: .toolsCall, idBytes: Array("1".utf8), receivedAt: 1)
    }

    /// One request through authorization and rate limits; true when it was let through.
    @inline(never)
    public func run(now: UInt64) -> Bool {
        var call = MCPCall(message: self.call.message, method: .toolsCall, idBytes: self.call.idBytes, receivedAt: now)
        var context = Context(principal: principal, upstreamName: "fast")
        let verdict = chain.handle(&call, context: &context) { _, _ in .forwarded }
        if case .forwarded = verdict { return true }
        return false
    }

    /// The same request through an empty chain: the baseline.
    @inline(never)
    public func runEmpty(now: UInt64) -> Bool {
        var call = MCPCall(message: self.call.message, method: .toolsCall, idBytes: self.call.idBytes, receivedAt: now)
        var context = Context(principal: principal, upstreamName: "fast")
        let verdict = empty.handle(&call, context: &context) { _, _ in .forwarded }
        if case .forwarded = verdict { return true }
        return false
    }
}
