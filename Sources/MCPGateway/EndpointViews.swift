import JSONRPC
import MCPConfig
import MCPProxy
import MCPRouting
import MCPTransports

/// The virtual endpoints of a configuration as views of its aggregated proxy: `proxy.endpoints`,
/// and one per upstream for `proxy.listen.namedServers` (`/servers/<name>/mcp`, the upstream's
/// own names). Keyed by path, which is also the HTTP front's service key of each.
enum EndpointViews {
    /// The path of a named server's endpoint.
    static func namedServerPath(_ name: String) -> String { "/servers/\(name)/mcp" }

    /// Every view of `config` by path; throws naming the setting when a glob does not compile.
    static func build(from config: ProxyConfig, network: Bool) throws(GatewayError) -> [String: EndpointView] {
        var views: [String: EndpointView] = [:]
        for (index, endpoint) in config.proxy.endpoints.enumerated() {
            views[endpoint.path] = try view(endpoint, at: "proxy.endpoints[\(index)]")
        }
        if network, config.proxy.listen.namedServers {
            for server in config.servers {
                let path = namedServerPath(server.name)
                views[path] = EndpointView(path: path, servers: [server.name], originalNames: true)
            }
        }
        return views
    }

    /// One `proxy.endpoints` entry as a view.
    static func view(_ settings: EndpointSettings, at keyPath: String) throws(GatewayError) -> EndpointView {
        func filter(_ config: FilterConfig, _ key: String) throws(GatewayError) -> NameFilter {
            do {
                return try NameFilter(allow: config.allow, deny: config.deny)
            } catch {
                throw GatewayError(.config, "\(keyPath).\(key): \(error)")
            }
        }
        return EndpointView(
            path: settings.path,
            servers: settings.servers.map(Set.init),
            tools: try filter(settings.tools, "tools"),
            prompts: try filter(settings.prompts, "prompts"),
            resources: try filter(settings.resources, "resources"),
            rename: settings.rename,
            describe: settings.describe,
            instructions: settings.instructions,
            roles: settings.roles,
            discovery: settings.discovery == .search ? .search : .list)
    }

    /// The roles each endpoint requires, by path (endpoints without roles left out).
    static func requiredRoles(_ views: [String: EndpointView]) -> [String: [String]] {
        views.compactMapValues { $0.roles.isEmpty ? nil : $0.roles }
    }
}

extension EndpointViews {
    /// The HTTP endpoints of the virtual endpoints: Streamable HTTP at each `proxy.endpoints`
    /// path; for each named server `/servers/<name>/mcp`, `/sse` (with `/messages`) and `/ws`.
    /// Each is served under its view's path as the service key.
    static func httpEndpoints(of config: ProxyConfig) -> [HTTPEndpoint] {
        var endpoints = config.proxy.endpoints.map { HTTPEndpoint(path: $0.path, kind: .streamableHTTP, service: $0.path) }
        if config.proxy.listen.namedServers {
            for server in config.servers {
                let base = "/servers/\(server.name)"
                let service = namedServerPath(server.name)
                endpoints += [
                    HTTPEndpoint(path: base + "/mcp", kind: .streamableHTTP, service: service),
                    HTTPEndpoint(path: base + "/sse", kind: .legacySSE(messagesPath: base + "/messages"), service: service),
                    HTTPEndpoint(path: base + "/ws", kind: .webSocket, service: service),
                ]
            }
        }
        return endpoints
    }
}

extension EndpointViews {
    /// The service key for serving the endpoint at `path` over stdio: the path itself, once it
    /// is known and the stdio principal has one of its roles.
    static func stdioService(_ path: String, in views: [String: EndpointView], principal: Principal?) throws(GatewayError) -> String {
        guard let view = views[path] else {
            let known = views.keys.sorted()
            let list = known.isEmpty ? "none is configured (add proxy.endpoints)" : "the configured endpoints are \(known.joined(separator: ", "))"
            throw GatewayError(.config, "--endpoint \(path): no endpoint has this path; \(list)")
        }
        if !view.roles.isEmpty, !view.roles.contains(where: { principal?.hasRole($0) == true }) {
            throw GatewayError(.config, "--endpoint \(path) needs one of the roles \(view.roles.joined(separator: ", ")); give them to proxy.auth.stdioPrincipal")
        }
        return path
    }
}

extension EndpointViews {
    /// Each virtual endpoint's absolute URI by its service key (its path): the origin of
    /// `proxy.auth.resource` followed by the endpoint's path, e.g. `https://mcp.example.com` +
    /// `/mcp/support`. Empty without a resource.
    static func audiences(of config: ProxyConfig) -> [String: String] {
        guard let resource = config.proxy.auth?.resource, let origin = origin(of: resource) else { return [:] }
        var paths = config.proxy.endpoints.map(\.path)
        if config.proxy.listen.namedServers { paths += config.servers.map { namedServerPath($0.name) } }
        return Dictionary(paths.map { ($0, origin + $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// `scheme://authority` of an absolute URI.
    static func origin(of uri: String) -> String? {
        guard let schemeEnd = uri.range(of: "://") else { return nil }
        let rest = uri[schemeEnd.upperBound...]
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        return String(uri[..<authorityEnd])
    }

    /// The front's admission: the security admission, then each endpoint's audience (JWTs) and
    /// roles. Without endpoints, the security admission itself.
    static func admission(_ security: SecurityAdmission, generation: GatewayGeneration) -> any RequestAdmission {
        var admission: any RequestAdmission = security
        let audiences = audiences(of: generation.config)
        if !audiences.isEmpty, let jwt = generation.config.proxy.auth?.jwt {
            admission = EndpointAudienceAdmission(inner: admission, audience: jwt.audience, endpointAudiences: audiences)
        }
        return EndpointRoleAdmission.wrap(admission, roles: requiredRoles(generation.views))
    }
}
