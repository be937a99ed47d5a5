import JSONRPC
import NIOConcurrencyHelpers

/// The per-request headers of one client session's upstream: header templates rendered from the
/// session's principal and, with a token exchange, `Authorization: Bearer` with the token
/// exchanged for that principal. The client's own token is never sent.
///
/// The principal is read for every request (a session's principal may be refreshed by a renewed
/// token of the same identity); rendered headers are kept until it changes, so a request costs a
/// lock, an identity comparison and a cache lookup.
public final class PrincipalCredentials: UpstreamCredentials {
    private let principal: @Sendable () -> Principal?
    private let templates: [(name: String, template: PrincipalHeaderTemplate)]
    private let exchange: TokenExchangeClient?
    private let rendered = NIOLockedValueBox<(principal: Principal, headers: [(name: String, value: String)])?>(nil)

    /// Creates the credentials of one client session.
    ///
    /// - Parameters:
    ///   - principal: the session's principal now; nil once the session has ended.
    ///   - templates: headers rendered from the principal.
    ///   - exchange: the upstream's token exchange, if it has one.
    public init(
        principal: @escaping @Sendable () -> Principal?,
        templates: [(name: String, template: PrincipalHeaderTemplate)],
        exchange: TokenExchangeClient?
    ) {
        self.principal = principal
        self.templates = templates
        self.exchange = exchange
    }

    public func readyHeaders() -> [(name: String, value: String)]? {
        guard let principal = principal() else { return nil }
        var headers = renderedHeaders(for: principal)
        if let exchange {
            guard let token = exchange.cachedToken(for: principal) else { return nil }
            headers.append((name: "Authorization", value: "Bearer " + token))
        }
        return headers
    }

    public func fetchHeaders() async throws(UpstreamCredentialError) -> [(name: String, value: String)] {
        guard let principal = principal() else {
            throw UpstreamCredentialError("no client principal is known for this upstream session (per-user credentials are sent only on behalf of a client session)")
        }
        var headers = renderedHeaders(for: principal)
        if let exchange {
            let token = try await exchange.token(for: principal)
            headers.append((name: "Authorization", value: "Bearer " + token))
        }
        return headers
    }

    private func renderedHeaders(for principal: Principal) -> [(name: String, value: String)] {
        if templates.isEmpty { return [] }
        if let kept = rendered.withLockedValue({ $0 }), kept.principal === principal { return kept.headers }
        let headers = templates.map { (name: $0.name, value: $0.template.render(principal)) }
        rendered.withLockedValue { $0 = (principal, headers) }
        return headers
    }
}
