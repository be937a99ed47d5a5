import JSONRPC
import MCPTransports

extension UpstreamDefinition {
    /// The definition as one client session's per-session service uses it: with per-user
    /// credentials (``makePrincipalTransport``), its transports read that session's principal;
    /// otherwise unchanged.
    func bound(to session: ProxySession) -> UpstreamDefinition {
        guard let make = makePrincipalTransport else { return self }
        var bound = self
        let principal: @Sendable () -> Principal? = { [weak session] in session?.principal }
        bound.makeTransport = { make(principal) }
        return bound
    }
}
