import MCPConfig

/// What a running gateway cannot change on reload: the listeners are bound and configured once.
enum ReloadCompatibility {
    /// The settings that differ between `old` and `new` and need a restart; empty when the
    /// reload can go ahead.
    static func restartOnlyChanges(from old: ProxyConfig, to new: ProxyConfig) -> [String] {
        var changed: [String] = []
        let (was, now) = (old.proxy, new.proxy)
        // The front reads trustedProxies once, when it starts (no lock on the request path).
        if was.listen.trustedProxies != now.listen.trustedProxies { changed.append("proxy.listen.trustedProxies") }
        var otherListen = was.listen
        otherListen.trustedProxies = now.listen.trustedProxies
        if otherListen != now.listen { changed.append("proxy.listen") }
        if was.admin?.host != now.admin?.host || was.admin?.port != now.admin?.port {
            changed.append("proxy.admin (host, port)")
        }
        if was.maxSessions != now.maxSessions { changed.append("proxy.limits.maxSessions") }
        if was.maxSessionsPerPrincipal != now.maxSessionsPerPrincipal { changed.append("proxy.limits.maxSessionsPerPrincipal") }
        if (was.auth?.hasAuthenticators ?? false) != (now.auth?.hasAuthenticators ?? false) {
            changed.append("proxy.auth (switching authentication on or off)")
        } else if was.auth?.resource != now.auth?.resource
            || was.auth?.authorizationServers != now.auth?.authorizationServers
            || was.auth?.scopesSupported != now.auth?.scopesSupported {
            changed.append("proxy.auth.resource, authorizationServers or scopesSupported (the protected-resource metadata)")
        }
        if was.logLevel != now.logLevel { changed.append("proxy.logging.level") }
        // Session keys and the Redis connections are set up with the listener; failOpen is read per check.
        var otherCluster = was.cluster
        if let failOpen = now.cluster?.redisFailOpen { otherCluster?.redisFailOpen = failOpen }
        if otherCluster != now.cluster { changed.append("proxy.cluster (sessionKeys, redis.url, replicaId)") }
        return changed
    }
}
