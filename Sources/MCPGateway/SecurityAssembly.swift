import Foundation
import JSONRPC
import Logging
import MCPStats
import MCPConfig
import MCPProxy
import MCPSecurity
import MCPTracing
import MCPTransports
import Tracing

/// The security parts of a gateway, built from `proxy.auth`, `proxy.authorization` and
/// `proxy.rateLimits`: who is calling (admission on the HTTP front), what they may do, and how
/// often.
struct SecurityComponents {
    /// The HTTP front's admission policy; nil when no authenticator is configured.
    var admission: SecurityAdmission?
    /// The protected-resource metadata documents by path.
    var staticDocuments: [String: HTTPStaticDocument] = [:]
    /// The principal of the stdio front.
    var stdioPrincipal: Principal?
    /// The protected-resource metadata URL, named in 401 and 403 challenges.
    var resourceMetadataURL: String?
    /// What principals may do, and what they see in lists; nil allows everything.
    var authorizer: RuleAuthorizer?
    /// Token buckets per principal, tool and upstream; nil when none are configured.
    var rateLimiter: TokenBucketRateLimiter?
    /// The access log (`proxy.accessLog`), the record of who did what; nil when off.
    var accessLog: AccessLog?

    /// Builds the parts; throws with a message that names the setting when a key cannot be loaded.
    /// `network: false` (the stdio front) builds no authenticators: its principal is configured.
    /// `stats` gets the authentication failures and the access log's dropped lines.
    static func build(from config: ProxyConfig, network: Bool = true, stats: StatsRegistry? = nil) async throws -> SecurityComponents {
        var components = SecurityComponents()
        if let settings = config.proxy.accessLog {
            do {
                components.accessLog = try AccessLog(settings: settings, stats: stats)
            } catch {
                throw SecurityAssemblyError("\(error)")
            }
        }
        if let authorization = config.proxy.authorization {
            components.authorizer = try authorizer(authorization)
        }
        if !config.proxy.rateLimits.isEmpty {
            let entries = config.proxy.rateLimits.map { setting in
                RateLimitEntry(per: RateLimitEntry.Scope(setting.per), rate: setting.rate, burst: setting.burst,
                               roles: setting.roles, tools: setting.tools, methods: setting.methods)
            }
            do {
                components.rateLimiter = try TokenBucketRateLimiter(entries: entries)
            } catch {
                throw SecurityAssemblyError("proxy.rateLimits: \(error)")
            }
        }
        let local = config.proxy.auth?.stdioPrincipal ?? StdioPrincipalSetting()
        components.stdioPrincipal = Principal(subject: local.subject, roles: local.roles, scopes: local.scopes, method: .stdio)
        guard network, let auth = config.proxy.auth else { return components }
        var metadataURL: String?
        if let resource = auth.resource {
            let metadata = ProtectedResourceMetadata(
                resource: resource, authorizationServers: auth.authorizationServers, scopesSupported: auth.scopesSupported)
            let document = HTTPStaticDocument(contentType: "application/json", body: metadata.jsonBytes())
            for path in ProtectedResourceMetadata.wellKnownPaths(forResource: resource) {
                components.staticDocuments[path] = document
            }
            metadataURL = metadata.metadataURL
            components.resourceMetadataURL = metadataURL
        }
        var authenticators: [any Authenticator] = []
        if let jwt = auth.jwt {
            // Principals keep their token only when an upstream exchanges it (RFC 8693).
            let keepsToken = config.servers.contains { $0.tokenExchange != nil }
            authenticators.append(try await jwtAuthenticator(jwt, keepsSubjectToken: keepsToken,
                                                             endpointAudiences: EndpointViews.audiences(of: config).values.sorted()))
        }
        if !auth.apiKeys.isEmpty {
            authenticators.append(try APIKeyAuthenticator(keys: auth.apiKeys.map { setting in
                let secret: APIKeyAuthenticator.Key.Secret
                switch setting.credential {
                case .key(let key): secret = .plain(key)
                case .sha256(let hex): secret = .sha256Hex(hex)
                }
                return APIKeyAuthenticator.Key(name: setting.name, secret: secret, roles: setting.roles, scopes: setting.scopes)
            }))
        }
        if let mtls = auth.mtls {
            authenticators.append(MutualTLSAuthenticator(rolesBySubject: mtls.roles, defaultRoles: mtls.defaultRoles))
        }
        guard !authenticators.isEmpty else { return components }
        let limit = auth.preAuthLimit.map { PreAuthLimiter(limit: PreAuthLimit(rate: $0.rate, burst: $0.burst)) }
        var admission = SecurityAdmission(
            authenticator: AuthenticatorChain(authenticators, required: auth.required),
            resourceMetadataURL: metadataURL, preAuthLimit: limit)
        admission.onRefusal = authenticationRefused(stats: stats, accessLog: components.accessLog)
        components.admission = admission
        return components
    }

    private static func jwtAuthenticator(_ jwt: JWTSettings, keepsSubjectToken: Bool, endpointAudiences: [String]) async throws -> JWTAuthenticator {
        let source: MCPSecurity.JWTKeySource
        switch jwt.key {
        case .secret(let secret): source = .secret(secret)
        case .jwksURL(let url): source = .jwksURL(url)
        case .jwksFile(let path): source = .jwks(try readFile(path, what: "proxy.auth.jwt.jwks"))
        case .publicKeyFile(let path): source = .publicKeyPEM(String(decoding: try readFile(path, what: "proxy.auth.jwt.publicKey"), as: UTF8.self))
        case .publicKeyPEM(let pem): source = .publicKeyPEM(pem)
        }
        let algorithms = jwt.algorithms.isEmpty ? nil : jwt.algorithms.compactMap { JWTAlgorithmName(rawValue: $0.rawValue) }
        var configuration = JWTAuthenticator.Configuration(
            keySource: source, issuer: jwt.issuer, audience: jwt.audience, algorithms: algorithms,
            clockSkewSeconds: jwt.clockSkewSeconds, rolesClaim: jwt.rolesClaim,
            jwksCacheLifetimeSeconds: jwt.jwksCacheSeconds)
        configuration.keepsSubjectToken = keepsSubjectToken
        // A token for a virtual endpoint names its URI; where it is accepted is checked per
        // request (EndpointAudienceAdmission).
        configuration.alsoAcceptedAudiences = endpointAudiences
        do {
            let authenticator = try await JWTAuthenticator(configuration: configuration, fetcher: HTTPJWKSFetcher())
            if case .jwksURL = source { await authenticator.refreshKeys() }
            return authenticator
        } catch {
            throw SecurityAssemblyError("proxy.auth.jwt: \(error)")
        }
    }

    private static func authorizer(_ settings: AuthorizationSettings) throws -> RuleAuthorizer {
        func patterns(_ list: AccessList?) -> MCPSecurity.AuthorizationRule.Patterns? {
            list.map { .init(allow: $0.allow, deny: $0.deny) }
        }
        let rules = settings.rules.map { rule in
            MCPSecurity.AuthorizationRule(
                subjects: rule.subjects, roles: rule.roles, scopes: rule.scopes,
                methods: patterns(rule.methods), tools: patterns(rule.tools), prompts: patterns(rule.prompts),
                resources: patterns(rule.resources), requireScopes: rule.requireScopes)
        }
        do {
            return try RuleAuthorizer(rules: rules, default: settings.defaultDecision == .allow ? .allow : .deny)
        } catch {
            throw SecurityAssemblyError("proxy.authorization: \(error)")
        }
    }

    private static func readFile(_ path: String, what: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SecurityAssemblyError("\(what): cannot read '\(path)'; check the path and its permissions")
        }
        return Array(data)
    }
}

extension RateLimitEntry.Scope {
    init(_ scope: RateLimitScope) {
        switch scope {
        case .principal: self = .principal
        case .principalAndTool: self = .principalAndTool
        case .upstream: self = .upstream
        }
    }
}

/// A security setting that could not be turned into a working part.
struct SecurityAssemblyError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension ProxyAssembly {
    /// A proxy with the configured pipeline: tracing (when a tracer records), authorization,
    /// then the host's policies (when a
    /// registry is given), then rate limits (which see the routed upstream), then the proxy's
    /// own stats stage.
    static func proxy(upstreams: [UpstreamDefinition], options: ProxyOptions, stats: StatsRegistry,
                      security: SecurityComponents, policies: PolicyHookRegistry? = nil, tracer: (any Tracer)? = nil,
                      inheriting: InheritedUpstreams? = nil, logger: Logger) -> MCPProxy {
        guard security.authorizer != nil || security.rateLimiter != nil || policies != nil || tracer != nil
                || security.accessLog != nil else {
            // No stages: the proxy skips the chain entirely.
            return MCPProxy(upstreams: upstreams, options: options, stats: stats, logger: logger, inheriting: inheriting)
        }
        return MCPProxy(upstreams: upstreams, options: options, stats: stats, visibility: security.authorizer, logger: logger,
                        inheriting: inheriting) {
            if let accessLog = security.accessLog {
                accessLog.middleware   // first: it sees what every later stage refuses
            }
            if let tracer {
                TracingMiddleware<ProxyRequestContext>(tracer: tracer)
            }
            if let authorizer = security.authorizer {
                AuthorizationMiddleware<ProxyRequestContext>(authorizer: authorizer, resourceMetadataURL: security.resourceMetadataURL)
            }
            if let policies {
                PolicyHookMiddleware<ProxyRequestContext>(registry: policies)
            }
            if let limiter = security.rateLimiter {
                RoutedRateLimitMiddleware<ProxyRequestContext>(limiter: limiter)
            }
        }
    }
}
