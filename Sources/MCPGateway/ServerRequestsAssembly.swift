import MCPConfig
import MCPProxy
import MCPRouting
import MCPSecurity

/// `proxy.serverRequests` from the config into ``ProxyOptions/serverRequests``.
enum ServerRequestsAssembly {
    /// The rules, globs compiled; a glob the config checker let through but the compiler refuses
    /// is reported with its key path.
    static func rules(from settings: [ServerRequestRule]) throws -> ServerRequestRules {
        var rules: [ServerRequestRules.Rule] = []
        for (index, setting) in settings.enumerated() {
            var servers: [GlobPattern] = []
            for pattern in setting.servers {
                do {
                    servers.append(try GlobPattern(pattern))
                } catch {
                    throw ProxyAssembly.Failure(description: "proxy.serverRequests[\(index)].servers: '\(pattern)' is not a valid glob: \(error)")
                }
            }
            var denied: Set<ServerRequestKind> = []
            if setting.sampling == .deny { denied.insert(.sampling) }
            if setting.elicitation == .deny { denied.insert(.elicitation) }
            if setting.roots == .deny { denied.insert(.roots) }
            rules.append(ServerRequestRules.Rule(
                servers: servers, denied: denied, maxSamplingTokens: setting.maxSamplingTokens,
                rate: setting.rate.map { TokenBucketLimit(rate: $0.rate, burst: $0.burst) }))
        }
        return ServerRequestRules(rules)
    }
}
