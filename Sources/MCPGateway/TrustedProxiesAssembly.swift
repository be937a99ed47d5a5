import MCPConfig
import MCPTransports

extension HTTPFrontConfiguration {
    /// Sets ``trustedProxies`` from `proxy.listen.trustedProxies` (entries the config loader
    /// already checked; one it let through and the front cannot read stops the start).
    mutating func trustProxies(of listen: ListenSettings) throws(GatewayError) {
        guard !listen.trustedProxies.isEmpty else { return }
        do {
            trustedProxies = try TrustedProxies(cidrs: listen.trustedProxies)
        } catch {
            throw GatewayError(.config, "proxy.listen.\(error.description)")
        }
    }
}
