import MCPConfig

/// Which upstreams a reload can carry over running: their shared upstream sessions (and child
/// processes) keep serving, in the new configuration, the clients of the old one and the new.
///
/// An upstream is carried over when nothing that shapes its sessions changed: its entry in
/// `mcpServers` is equal, it sits at the same position, it is a shared stdio upstream (a remote
/// one is cheap to reconnect, and its transport belongs to the old configuration's HTTP client),
/// and the proxy-wide settings its sessions use (limits, timeouts, the handshake's name and
/// version, namespacing, startup, restarts, fail-open) are equal.
enum UpstreamReuse {
    static func unchanged(from old: ProxyConfig, to new: ProxyConfig) -> Set<String> {
        guard sessionSettings(old.proxy) == sessionSettings(new.proxy) else { return [] }
        var names: Set<String> = []
        for (index, server) in new.servers.enumerated() {
            guard index < old.servers.count, old.servers[index] == server, server.pool.mode != .perSession else { continue }
            guard server.endpoints.allSatisfy({ if case .stdio = $0 { return true } else { return false } }) else { continue }
            names.insert(server.name)
        }
        return names
    }

    /// The proxy settings with everything that does not shape upstream sessions cleared.
    private static func sessionSettings(_ settings: ProxySettings) -> ProxySettings {
        var kept = settings
        kept.instructions = nil
        kept.routes = []
        kept.pageSize = 0
        kept.logLevel = ""
        kept.dumpStatsOnExit = false
        kept.admin = nil
        kept.auth = nil
        kept.authorization = nil
        kept.rateLimits = []
        kept.metrics = MetricsSettings()
        kept.accessLog = nil
        kept.tracing = nil
        return kept
    }
}
