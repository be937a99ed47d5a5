import JSONRPC
import Logging
import MCPConfig
import MCPProxy
import MCPStats
import MCPTransports

/// Per-user upstream credentials (`headers` with `${principal.*}`, `auth.tokenExchange`): each
/// client session's upstream session of such a server gets a Streamable HTTP transport whose
/// headers are rendered from that session's principal and whose `Authorization` carries the
/// token exchanged for it. The server runs per client session, so an upstream session never
/// serves two principals.
enum UserCredentialsAssembly {
    /// Sets ``UpstreamDefinition/makePrincipalTransport`` for a server with per-user credentials;
    /// leaves other servers alone. Its plain ``UpstreamDefinition/makeTransport`` then makes a
    /// transport that sends nothing (there is no principal to send as): `mcp-proxy check` and any
    /// other use without a client session get an error that says so.
    static func attach(_ server: ServerConfig, to definition: inout UpstreamDefinition, config: ProxyConfig, logger: Logger,
                       httpClient: SharedHTTPClient?, stats: StatsRegistry?) {
        guard server.hasUserCredentials, case .remote(let url, _, let headers) = server.transport else { return }
        let name = server.name
        // No fallback to legacy SSE: only the Streamable HTTP transport sends per-request credentials.
        let remote = ProxyAssembly.remoteConfiguration(url: url, kind: .streamableHTTP, headers: headers, server: server, config: config)
        let exchange = server.tokenExchange.map { settings in
            TokenExchangeClient(
                upstream: name,
                configuration: TokenExchangeConfiguration(
                    tokenEndpoint: settings.tokenEndpoint, clientID: settings.clientId, clientSecret: settings.clientSecret,
                    audience: settings.audience, scope: settings.scope, tls: remote.tls),
                httpClient: httpClient?.client,
                onOutcome: counters(upstream: name, stats: stats))
        }
        let templates = server.principalHeaders.sorted { $0.key < $1.key }.map { entry in
            (name: entry.key, template: PrincipalHeaderTemplate(entry.value.parts.map(part)))
        }
        let client = httpClient
        definition.policy.mode = .perSession
        definition.makePrincipalTransport = { principal in
            var configuration = remote
            configuration.credentials = PrincipalCredentials(principal: principal, templates: templates, exchange: exchange)
            return StreamableHTTPClientTransport(name: name, configuration: configuration, logger: logger, httpClient: client?.client)
        }
        definition.makeTransport = {
            var configuration = remote
            configuration.credentials = PrincipalCredentials(principal: { nil }, templates: templates, exchange: exchange)
            return StreamableHTTPClientTransport(name: name, configuration: configuration, logger: logger, httpClient: client?.client)
        }
    }

    private static func part(_ part: HeaderTemplate.Part) -> PrincipalHeaderTemplate.Part {
        switch part {
        case .text(let text): return .text(text)
        case .subject: return .subject
        case .claim(let name): return .claim(name)
        case .roles: return .roles
        }
    }

    /// `mcp_proxy_token_exchange_total{upstream, outcome}`: cache hits, misses (an exchange was
    /// made) and failures.
    private static func counters(upstream: String, stats: StatsRegistry?) -> @Sendable (TokenExchangeOutcome) -> Void {
        guard let stats else { return { _ in } }
        let help = "Token exchange (RFC 8693) lookups per upstream: hit (a cached token), miss (an exchange was made), failure (it failed)"
        let hit = stats.counter("mcp_proxy_token_exchange_total", help: help, labels: ["upstream": upstream, "outcome": "hit"])
        let miss = stats.counter("mcp_proxy_token_exchange_total", help: help, labels: ["upstream": upstream, "outcome": "miss"])
        let failure = stats.counter("mcp_proxy_token_exchange_total", help: help, labels: ["upstream": upstream, "outcome": "failure"])
        return { outcome in
            switch outcome {
            case .hit: hit.increment()
            case .miss: miss.increment()
            case .failure: failure.increment()
            }
        }
    }
}
